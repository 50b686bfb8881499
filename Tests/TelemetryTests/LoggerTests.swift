import Foundation
import Testing

@testable import Telemetry

/// Parses one log line as a JSON object, failing the test if it is not one.
private func parse(_ line: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
    return try #require(object as? [String: Any], "not a JSON object: \(line)")
}

@Suite struct LoggerTests {
    @Test func lineHoldsFixedFieldsAndMetadata() throws {
        let sink = MemoryLogSink()
        let logger = Logger(label: "edge", sink: sink, metadata: ["edge.id": "e1"])

        logger.info("started", ["market.id": 42, "ratio": 0.5, "cached": true])

        let line = try #require(sink.lines.first)
        #expect(sink.lines.count == 1)
        let fields = try parse(line)
        #expect(fields["level"] as? String == "info")
        #expect(fields["logger"] as? String == "edge")
        #expect(fields["event"] as? String == "started")
        #expect(fields["edge.id"] as? String == "e1")
        #expect(fields["market.id"] as? Int == 42)
        #expect(fields["ratio"] as? Double == 0.5)
        #expect(fields["cached"] as? Bool == true)

        // Fixed fields first, then metadata in key order.
        let afterTimestamp = try #require(line.split(separator: "Z\"", maxSplits: 1).last)
        #expect(afterTimestamp == #","level":"info","logger":"edge","event":"started","#
            + #""cached":true,"edge.id":"e1","market.id":42,"ratio":0.5}"#)
    }

    @Test func timestampIsCurrentUTCWithMicroseconds() throws {
        let sink = MemoryLogSink()
        let before = Date()
        Logger(label: "t", sink: sink).notice("tick")
        let after = Date()

        let line = try #require(sink.lines.first)
        let stamp = try #require(try parse(line)["ts"] as? String)
        #expect(stamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil)

        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(formatter.date(from: stamp))
        // The formatter keeps only milliseconds, so allow one either side.
        #expect(date >= before.addingTimeInterval(-0.001))
        #expect(date <= after.addingTimeInterval(0.001))
    }

    @Test func nastyStringsRoundTrip() throws {
        let sink = MemoryLogSink()
        let nasty = "quote \" backslash \\ slash / nl \n cr \r tab \t nul \u{0} bell \u{7} "
            + "esc \u{1B} us \u{1F} del \u{7F} é ünï 🎲 \u{2028}"

        Logger(label: "lab\"el", sink: sink).info(nasty, ["key \"\\\n": .string(nasty)])

        let line = try #require(sink.lines.first)
        #expect(!line.contains("\n"))
        #expect(line.contains(#"\u0000"#))
        #expect(line.contains(#"\u0007"#))
        #expect(line.contains(#"\u001b"#))
        #expect(line.contains("é ünï 🎲"))
        let fields = try parse(line)
        #expect(fields["logger"] as? String == "lab\"el")
        #expect(fields["event"] as? String == nasty)
        #expect(fields["key \"\\\n"] as? String == nasty)
    }

    @Test func doublesAndLargeIntegers() throws {
        let sink = MemoryLogSink()
        Logger(label: "t", sink: sink).info("numbers", [
            "nan": .double(.nan), "inf": .double(.infinity), "ninf": .double(-.infinity),
            "tiny": 1e-7, "huge": LogValue(UInt64.max), "negative": -3,
        ])

        let fields = try parse(try #require(sink.lines.first))
        #expect(fields["nan"] as? String == "NaN")
        #expect(fields["inf"] as? String == "+Inf")
        #expect(fields["ninf"] as? String == "-Inf")
        #expect(fields["tiny"] as? Double == 1e-7)
        #expect(fields["huge"] as? String == "18446744073709551615")
        #expect(fields["negative"] as? Int == -3)
    }

    @Test func levelsBelowTheLoggersAreSkippedWithoutEvaluatingMetadata() throws {
        let sink = MemoryLogSink()
        let logger = Logger(label: "t", level: .warning, sink: sink)
        var evaluated = 0
        func metadata() -> LogMetadata {
            evaluated += 1
            return ["n": .int(Int64(evaluated))]
        }

        logger.trace("trace", metadata())
        logger.debug("debug", metadata())
        logger.info("info", metadata())
        logger.notice("notice", metadata())
        logger.warning("warning", metadata())
        logger.error("error", metadata())
        logger.critical("critical", metadata())
        logger.log(.info, "info again", metadata())

        #expect(evaluated == 3)
        let levels = try sink.lines.map { try parse($0)["level"] as? String }
        #expect(levels == ["warning", "error", "critical"])
        #expect(!logger.isEnabled(.notice))
        #expect(logger.isEnabled(.warning))
    }

    @Test func levelNamesParse() {
        for level in LogLevel.allCases {
            #expect(LogLevel(name: level.name) == level)
        }
        #expect(LogLevel(name: "warn") == nil)
        #expect(LogLevel(name: "INFO") == nil)
        #expect(LogLevel.trace < .debug && LogLevel.error < .critical)
        #expect(LogLevel.allCases.map(\.name).joined(separator: ",")
            == "trace,debug,info,notice,warning,error,critical")
    }

    @Test func childLoggerMergesMetadataAndCallWins() throws {
        let sink = MemoryLogSink()
        let parent = Logger(label: "t", sink: sink, metadata: ["edge.id": "e1", "zone": "a"])
        let child = parent.with(["zone": "b", "market.id": 7])

        child.info("event", ["market.id": 8, "event": "clash"])
        parent.info("parent")

        let childFields = try parse(sink.lines[0])
        #expect(childFields["edge.id"] as? String == "e1")
        #expect(childFields["zone"] as? String == "b")
        #expect(childFields["market.id"] as? Int == 8)
        #expect(childFields["event"] as? String == "event")
        #expect(childFields["metadata.event"] as? String == "clash")
        let parentFields = try parse(sink.lines[1])
        #expect(parentFields["zone"] as? String == "a")
        #expect(parentFields["market.id"] == nil)
    }

    @Test func linesFromEightThreadsStayWhole() throws {
        let sink = MemoryLogSink()
        let logger = Logger(label: "race", sink: sink)
        let linesPerThread = 500

        let finished = Threads.run(8) { thread in
            for index in 0..<linesPerThread {
                logger.info("line", ["thread": .int(Int64(thread)), "index": .int(Int64(index))])
            }
        }

        #expect(finished)
        var seen = Set<String>()
        for line in sink.lines {
            let fields = try parse(line)
            let thread = try #require(fields["thread"] as? Int)
            let index = try #require(fields["index"] as? Int)
            seen.insert("\(thread)/\(index)")
        }
        #expect(sink.lines.count == 8 * linesPerThread)
        #expect(seen.count == 8 * linesPerThread)
    }

    @Test func standardErrorSinkWritesWholeLinesFromEightThreads() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("telemetry-\(UUID().uuidString).log").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
        try #require(descriptor >= 0)
        defer { unlink(path) }

        // Longer than a pipe's atomic write, so a split line would show.
        let padding = LogValue.string(String(repeating: "x", count: 5000))
        let logger = Logger(label: "race", sink: StandardErrorSink(fileDescriptor: descriptor))
        let finished = Threads.run(8) { thread in
            for index in 0..<50 {
                logger.info("line", ["thread": .int(Int64(thread)), "i": .int(Int64(index)),
                                     "padding": padding])
            }
        }
        close(descriptor)

        #expect(finished)
        let text = String(decoding: try #require(FileManager.default.contents(atPath: path)),
                          as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 8 * 50 + 1)
        #expect(lines.last == "")
        for line in lines.dropLast() {
            #expect(try parse(String(line))["padding"] as? String == padding.description)
        }
    }
}
