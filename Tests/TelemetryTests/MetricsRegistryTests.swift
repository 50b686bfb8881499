import Synchronization
import Testing

import Telemetry

@Suite struct MetricsRegistryTests {
    @Test func sameNameAndLabelsGiveTheSameInstance() {
        let registry = MetricsRegistry()

        let first = registry.counter("requests_total", help: "R.", labels: ["a": "1", "b": "2"])
        let again = registry.counter(
            "requests_total", help: "Other.", labels: ["b": "2", "a": "1"])
        let other = registry.counter("requests_total", help: "R.", labels: ["a": "2"])

        #expect(first === again)
        #expect(first !== other)
        let depth = registry.gauge("depth", help: "Depth.")
        #expect(depth === registry.gauge("depth", help: "Depth."))
        #expect(registry.histogram("latency_seconds", help: "L.")
            === registry.histogram("latency_seconds", help: "L."))
    }

    @Test func rendersTheTextFormatExactly() {
        let registry = MetricsRegistry()
        let requests = "edge_requests_total"
        let help = "Requests served.\nSecond line with a \\ backslash."
        registry.counter(requests, help: help, labels: ["method": "GET", "code": "500"])
            .increment()
        registry.counter(requests, help: help, labels: ["method": "GET", "code": "200"])
            .increment(by: 5)
        registry.counter(requests, help: help, labels: ["method": "GET", "code": "odd \"q\" \\\n"])
            .increment()
        let connections = registry.gauge("edge_connections", help: "Open client connections.")
        connections.set(5)
        connections.add(-2)
        registry.gauge("edge_cache_size", help: "Entries in the cache.") { 7 }
        let latency = registry.histogram(
            "edge_request_seconds", help: "Request latency.", labels: ["route": "/v1/markets"],
            buckets: [0.005, 0.01, 0.1])
        for seconds in [0.001, 0.001, 0.01, 0.05, 2] {
            latency.observe(seconds: seconds)
        }

        let expected = #"""
            # HELP edge_cache_size Entries in the cache.
            # TYPE edge_cache_size gauge
            edge_cache_size 7
            # HELP edge_connections Open client connections.
            # TYPE edge_connections gauge
            edge_connections 3
            # HELP edge_request_seconds Request latency.
            # TYPE edge_request_seconds histogram
            edge_request_seconds_bucket{route="/v1/markets",le="0.005"} 2
            edge_request_seconds_bucket{route="/v1/markets",le="0.01"} 3
            edge_request_seconds_bucket{route="/v1/markets",le="0.1"} 4
            edge_request_seconds_bucket{route="/v1/markets",le="+Inf"} 5
            edge_request_seconds_sum{route="/v1/markets"} 2.062
            edge_request_seconds_count{route="/v1/markets"} 5
            # HELP edge_requests_total Requests served.\nSecond line with a \\ backslash.
            # TYPE edge_requests_total counter
            edge_requests_total{code="200",method="GET"} 5
            edge_requests_total{code="500",method="GET"} 1
            edge_requests_total{code="odd \"q\" \\\n",method="GET"} 1

            """#
        #expect(registry.render() == expected)
    }

    @Test func emptyRegistryRendersNothing() {
        #expect(MetricsRegistry().render() == "")
        #expect(MetricsRegistry.contentType == "text/plain; version=0.0.4; charset=utf-8")
    }

    @Test func defaultBucketsRenderInSeconds() {
        let registry = MetricsRegistry()
        registry.histogram("rtt_seconds", help: "RTT.").observe(nanoseconds: 30_000)

        let lines = registry.render().split(separator: "\n")
        #expect(lines.contains(#"rtt_seconds_bucket{le="2.5e-05"} 0"#))
        #expect(lines.contains(#"rtt_seconds_bucket{le="5e-05"} 1"#))
        #expect(lines.contains(#"rtt_seconds_bucket{le="10"} 1"#))
        #expect(lines.contains(#"rtt_seconds_sum 3e-05"#))
        #expect(lines.contains(#"rtt_seconds_count 1"#))
    }

    @Test func computedGaugeIsReadAtEachRender() {
        let registry = MetricsRegistry()
        let box = SizeBox(size: 1)
        registry.gauge("store_entries", help: "Entries.") { box.size.load(ordering: .relaxed) }

        #expect(registry.render().hasSuffix("store_entries 1\n"))
        box.size.store(42, ordering: .relaxed)
        #expect(registry.render().hasSuffix("store_entries 42\n"))
    }

    @Test func concurrentIncrementsAddUpExactly() {
        let registry = MetricsRegistry()
        let perThread = 100_000

        let finished = Threads.run(8) { thread in
            let counter = registry.counter("hits_total", help: "Hits.")
            let gauge = registry.gauge("balance", help: "Balance.")
            let mine = registry.counter("own_total", help: "Own.", labels: ["t": "\(thread)"])
            for _ in 0..<perThread {
                counter.increment()
                mine.increment(by: 2)
                gauge.add(1)
                gauge.add(-1)
            }
        }

        #expect(finished)
        #expect(registry.counter("hits_total", help: "Hits.").value == 8 * perThread)
        #expect(registry.gauge("balance", help: "Balance.").value == 0)
        for thread in 0..<8 {
            let mine = registry.counter("own_total", help: "Own.", labels: ["t": "\(thread)"])
            #expect(mine.value == 2 * perThread)
        }
    }
}

/// A value a computed gauge can read while the test changes it.
private final class SizeBox: Sendable {
    let size: Atomic<Int>

    init(size: Int) {
        self.size = Atomic(size)
    }
}
