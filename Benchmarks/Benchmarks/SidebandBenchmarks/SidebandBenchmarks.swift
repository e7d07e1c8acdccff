import Benchmark

/// Microbenchmarks of the per-request hot path: sideband payloads, answers and header diff, routing, path
/// normalisation and the upstream pool. Every figure is per operation (each sample runs it 1 000 times).
///
/// Benchmarks configured with `.zeroAllocations` are gated: `Thresholds/` holds their p90 allocation count
/// (0), and `swift package benchmark thresholds check --path "$PWD/Thresholds"` exits non-zero when one of
/// them allocates per operation.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        warmupIterations: 10,
        // Each sample runs the operation 1 000 times, so per-sample measuring overhead does not swamp
        // an operation of a few microseconds; figures are per operation.
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )

    Benchmark.registerPayloadWriters()
    Benchmark.registerAnswerParsers()
    Benchmark.registerRequestDiff()
    Benchmark.registerRouter()
    Benchmark.registerConnectionPool()
}

extension Benchmark.Configuration {
    /// The default configuration plus a gate on allocations, for operations that must not allocate per
    /// request (the payload writers may only grow their output buffer).
    ///
    /// The gate compares the p90 of `mallocCountTotal` per *sample* (1 000 operations) with the benchmark's
    /// file in `Thresholds/` (0). One allocation per operation is 1 000 per sample; the tolerance of 10 only
    /// absorbs a stray allocation of the harness, never a per-operation one. Growing the output buffer is
    /// done once before measuring, so it is excluded.
    static var zeroAllocations: Benchmark.Configuration {
        .init(thresholds: [.mallocCountTotal: .init(absolute: [.p90: 10])])
    }
}
