// swift-tools-version: 6.1
import PackageDescription

// Microbenchmarks of the per-request hot path (ordo-one/benchmark). A separate package so that the main
// package's build and tests never compile the benchmark harness. Run from this folder:
//   swift package benchmark
//   swift package benchmark thresholds check --path "$PWD/Thresholds"   # fails if a gated benchmark allocates
let package = Package(
    name: "ping-auth-proxy-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "ping-auth-proxy", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
    ],
    targets: [
        .executableTarget(
            name: "SidebandBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SidebandProtocol", package: "ping-auth-proxy"),
                .product(name: "GatewayRouter", package: "ping-auth-proxy"),
                .product(name: "ConnectionPool", package: "ping-auth-proxy"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/SidebandBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
