/// The product version, reported by `--version`, `User-Agent` of sideband calls and `/status`.
public enum GatewayVersion {
    public static let string = "0.1.0"
}
