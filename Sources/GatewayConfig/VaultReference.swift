/// Kong vault references of the `env` vault: a whole string value `{vault://env/NAME}` stands for the
/// value of an environment variable, so secrets stay out of the file.
///
/// The variable is looked up as written, then by Kong's env vault convention (upper-cased, `-` turned
/// into `_`: `{vault://env/paz-secret}` reads `PAZ_SECRET`). Other vaults (`aws`, `hcv`, ...) and
/// JSON sub-keys (`{vault://env/NAME/key}`) are refused. Messages name the reference, never its value.
enum VaultReference {
    /// `nil` when `text` is not a vault reference (an ordinary value); otherwise the resolved value or the
    /// reason it cannot be resolved.
    static func resolve(_ text: String, environment: [String: String]) -> Result<String, Unresolved>? {
        guard text.hasPrefix("{vault://"), text.hasSuffix("}") else { return nil }
        let body = text.dropFirst("{vault://".count).dropLast()
        let withoutQuery = body.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = withoutQuery.split(separator: "/", omittingEmptySubsequences: false)
        guard parts[0] == "env" else {
            return .failure(Unresolved(message: "vault reference \(text): only the env vault is supported"))
        }
        guard parts.count == 2, !parts[1].isEmpty else {
            return .failure(Unresolved(message: "vault reference \(text): expected {vault://env/NAME}"))
        }
        let name = String(parts[1])
        if let value = environment[name] { return .success(value) }
        let konged = String(name.uppercased().map { $0 == "-" ? "_" : $0 })
        if let value = environment[konged] { return .success(value) }
        let tried = konged == name ? name : "\(name) (or \(konged))"
        return .failure(Unresolved(message: "vault reference \(text): environment variable \(tried) is not set"))
    }

    /// Why a reference could not be resolved, phrased for a configuration problem.
    struct Unresolved: Error {
        var message: String
    }
}
