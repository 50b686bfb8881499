// swift-tools-version:6.0
import PackageDescription

// Layers (see docs/architecture.md): C system libraries, then foundations that know nothing
// of betting (Transport, Telemetry), then the odds model, the services and the programs.
let package = Package(
    name: "Oddsnet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "odds-edge", targets: ["odds-edge"]),
        .executable(name: "odds-origin", targets: ["odds-origin"]),
        .executable(name: "oddsctl", targets: ["oddsctl"]),
        .executable(name: "odds-bench", targets: ["odds-bench"]),
        .executable(name: "odds-client", targets: ["odds-client"]),
        .library(name: "OddsClient", targets: ["OddsClient"]),
    ],
    targets: [
        // Layer 1: C libraries from Debian's -dev packages, found through pkg-config.
        .systemLibrary(
            name: "CNghttp2", pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CLMDB", pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]),

        .systemLibrary(name: "CSystem"),
        // Release builds of the servers allocate through jemalloc: a request costs about 8 per
        // cent fewer instructions than with glibc's malloc (scripts/bench-instructions.sh).
        // Debug builds (the tests, the thread sanitizer) keep glibc's: the sanitizer's own
        // allocator and jemalloc's C++ operators cannot share a process.
        .systemLibrary(name: "CJemalloc"),

        // Layer 2: foundations.
        .target(name: "Locks", dependencies: ["CSystem"]),
        .target(name: "Telemetry", dependencies: ["Locks"]),
        .target(name: "JSON"),
        .target(name: "Store", dependencies: ["CLMDB", "Locks"]),
        .target(name: "Identity", dependencies: ["COpenSSL", "JSON", "Locks"]),
        .target(
            name: "Transport",
            dependencies: ["CNghttp2", "COpenSSL", "CSystem", "Locks", "Telemetry"],
            swiftSettings: [
                // Release builds skip the dynamic exclusivity checks on the request path;
                // debug builds and the tests keep them.
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
            ]),

        // Layer 3: the odds model, pure values.
        .target(name: "OddsModel", dependencies: ["JSON", "CSystem"]),

        // Layer 4: services, and what the programs share.
        .target(
            name: "Service",
            dependencies: ["JSON", "Locks", "Telemetry", "Transport", "Identity", "OddsModel"]),
        // The customer's side: live streams from the nearest edge, with failover.
        .target(name: "OddsClient", dependencies: ["Transport", "JSON", "Locks"]),
        .target(
            name: "OddsOrigin",
            dependencies: [
                "OddsModel", "Store", "Service", "Transport", "Telemetry", "JSON", "Locks",
                "Identity",
            ]),
        .target(
            name: "OddsEdge",
            dependencies: [
                "OddsModel", "Store", "Service", "Transport", "Telemetry", "JSON", "Locks",
                "Identity",
            ]),
        .target(
            name: "OddsControl",
            dependencies: ["OddsModel", "Service", "Transport", "JSON"]),
        .target(
            name: "OddsBench",
            dependencies: [
                "OddsModel", "Service", "Transport", "Telemetry", "JSON", "Locks", "CSystem",
                "OddsClient",
            ]),

        // Layer 5: programs.
        .executableTarget(
            name: "odds-edge", dependencies: ["OddsEdge", "CJemalloc"],
            linkerSettings: [.linkedLibrary("jemalloc", .when(configuration: .release))]),
        .executableTarget(
            name: "odds-origin", dependencies: ["OddsOrigin", "CJemalloc"],
            linkerSettings: [.linkedLibrary("jemalloc", .when(configuration: .release))]),
        .executableTarget(name: "oddsctl", dependencies: ["OddsControl"]),
        .executableTarget(name: "odds-bench", dependencies: ["OddsBench"]),
        .executableTarget(
            name: "odds-client",
            dependencies: [
                "OddsClient", "OddsModel", "Service", "JSON", "Telemetry", "Transport",
            ]),

        // Tests.
        .target(
            name: "TestSupport",
            dependencies: ["Transport", "Telemetry", "Locks", "CNghttp2", "JSON"],
            path: "Tests/TestSupport"),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "Locks"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "IdentityTests", dependencies: ["Identity", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"]),
        .testTarget(name: "OddsModelTests", dependencies: ["OddsModel", "JSON"]),
        .testTarget(name: "OddsClientTests", dependencies: ["OddsClient"]),
        .testTarget(
            name: "OddsEdgeTests", dependencies: ["OddsEdge", "OddsModel", "Store", "TestSupport"]),
        .testTarget(
            name: "OddsOriginTests",
            dependencies: ["OddsOrigin", "OddsModel", "Store", "TestSupport"]),
        .testTarget(
            name: "NetworkTests",
            dependencies: [
                "TestSupport", "Transport", "JSON", "OddsModel", "Store", "Identity", "Locks",
                "OddsClient",
            ]),
        .testTarget(
            name: "TransportTests",
            dependencies: ["Transport", "TestSupport", "Locks", "CNghttp2"]),
    ]
)

// Release builds optimise across modules (generic code specialised where it is called):
// 1 to 3 per cent fewer instructions per request, bet and change
// (scripts/bench-instructions.sh, 2026-12-04).
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))
    ]
}
