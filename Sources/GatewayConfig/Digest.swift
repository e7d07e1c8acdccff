/// FNV-1a, 64-bit: a tiny, dependency-free fingerprint of the configuration file.
///
/// Not a cryptographic hash (Foundation has none on Linux and the module avoids a crypto dependency): it
/// only lets `/status` show which file revision is loaded and lets operators compare two gateways.
enum Digest {
    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// Lower-case hexadecimal FNV-1a 64 of `bytes`, always 16 characters.
    static func fnv1a64Hex(_ bytes: some Sequence<UInt8>) -> String {
        var hash = offsetBasis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= prime
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
