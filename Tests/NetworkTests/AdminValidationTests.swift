import JSON
import TestSupport
import Transport
import XCTest

/// Every malformed admin request gets a 4xx problem document that names the fault, and
/// leaves the origin exactly as it was: the same sequence, the same digest, the same markets.
final class AdminValidationTests: XCTestCase {
    /// The admin body limit the origin runs with, so an oversized body stays cheap to send.
    static let maxRequestBodyBytes = 65536

    func testMalformedRequestsAreRefusedAndChangeNothing() async throws {
        let origin = try startedOrigin()
        try await origin.seedCard(markets: 2)
        let before = try await state(of: origin)

        for refusal in Self.refusals() {
            let response = try await origin.request(
                refusal.method, refusal.path, json: refusal.json, token: refusal.token)
            assertProblem(response, refusal)
            let after = try await state(of: origin)
            XCTAssertEqual(after, before, "\(refusal.name): the origin changed")
        }

        // The control: a valid price is one change, and the state above shows it.
        let set = try await origin.request(
            .post, "/v1/admin/prices",
            json: #"{"prices":[{"market":"m1","selection":"home","price":"2.22"}]}"#)
        try expectOK(set)
        let after = try await state(of: origin)
        XCTAssertEqual(after.sequence, before.sequence + 1)
        XCTAssertEqual(set.headers["x-odds-sequence"], "\(before.sequence + 1)")
        XCTAssertNotEqual(after.digest, before.digest)
        XCTAssertEqual(after.markets[0], before.markets[0], "m0 changed")
        XCTAssertNotEqual(after.markets[1], before.markets[1], "m1 did not change")
        XCTAssertTrue(after.markets[1].contains("\"2.22\""), after.markets[1])
    }

    /// A batch that names a market several times makes one change of it, with the last
    /// price given for each selection.
    func testABatchNamingAMarketTwiceMakesOneChangeOfIt() async throws {
        let origin = try startedOrigin()
        try await origin.seedCard(markets: 2)
        let before = try await state(of: origin)
        let set = try await origin.request(
            .post, "/v1/admin/prices",
            json: #"""
                {"prices":[{"market":"m1","selection":"home","price":"2.30"},
                           {"market":"m1","selection":"away","price":"3.10"},
                           {"market":"m0","selection":"home","price":"5.00"},
                           {"market":"m1","selection":"home","price":"2.40"}]}
                """#)
        try expectOK(set)
        let after = try await state(of: origin)
        XCTAssertEqual(after.sequence, before.sequence + 2)
        XCTAssertTrue(after.markets[1].contains("\"2.40\""), after.markets[1])
        XCTAssertFalse(after.markets[1].contains("\"2.30\""), after.markets[1])
        XCTAssertTrue(after.markets[1].contains("\"3.10\""), after.markets[1])
        XCTAssertTrue(after.markets[0].contains("\"5.00\""), after.markets[0])
    }

    func testClosedMarketCannotBeResumedSuspendedOrPriced() async throws {
        let origin = try startedOrigin()
        try await origin.seedCard(markets: 2)
        try expectOK(try await origin.request(.post, "/v1/admin/markets/m0/close"))
        let before = try await state(of: origin)

        let refusals = [
            Refusal(
                "resume a closed market", .post, "/v1/admin/markets/m0/resume", json: nil,
                status: 409, mentions: ["m0", "closed"]),
            Refusal(
                "suspend a closed market", .post, "/v1/admin/markets/m0/suspend", json: nil,
                status: 409, mentions: ["m0", "closed"]),
            Refusal(
                "reopen a closed market by PATCH", .patch, "/v1/admin/markets/m0",
                json: #"{"status":"open"}"#, status: 409, mentions: ["m0", "closed"]),
            Refusal(
                "price a closed market", .post, "/v1/admin/prices",
                json: #"{"prices":[{"market":"m0","selection":"home","price":"2.30"}]}"#,
                status: 409, mentions: ["prices[0]", "m0", "closed"]),
        ]
        for refusal in refusals {
            let response = try await origin.request(
                refusal.method, refusal.path, json: refusal.json, token: refusal.token)
            assertProblem(response, refusal)
            let after = try await state(of: origin)
            XCTAssertEqual(after, before, "\(refusal.name): the origin changed")
        }
    }

    // MARK: Cases

    /// One malformed request and how it must be answered.
    struct Refusal {
        let name: String
        let method: HTTPMethod
        let path: String
        let json: String?
        let token: String?
        let status: Int
        /// Words the problem's detail must contain: the field, id or value at fault.
        let mentions: [String]
        /// A header the answer must carry.
        let header: String?

        init(
            _ name: String, _ method: HTTPMethod, _ path: String, json: String?,
            token: String? = OriginNode.adminToken, status: Int, mentions: [String],
            header: String? = nil
        ) {
            self.name = name
            self.method = method
            self.path = path
            self.json = json
            self.token = token
            self.status = status
            self.mentions = mentions
            self.header = header
        }
    }

    static func refusals() -> [Refusal] {
        let prices = "/v1/admin/prices"
        func batch(_ items: String...) -> String {
            "{\"prices\":[\(items.joined(separator: ","))]}"
        }
        func item(_ market: String, _ selection: String, _ price: String) -> String {
            "{\"market\":\"\(market)\",\"selection\":\"\(selection)\",\"price\":\(price)}"
        }
        let valid = item("m1", "home", "\"2.20\"")
        let market = """
            {"event":"e1","type":"match_odds","name":"Match Odds","selections":[
             {"id":"home","name":"Home","price":"2.10"},
             {"id":"away","name":"Away","price":"3.75"}]}
            """

        return [
            Refusal(
                "body is not JSON", .post, prices, json: "{\"prices\":[", status: 422,
                mentions: ["not valid JSON"]),
            Refusal(
                "body is an array", .post, prices, json: "[\(valid)]", status: 422,
                mentions: ["expected an object"]),
            Refusal(
                "unknown key in the body", .post, prices,
                json: "{\"prices\":[\(valid)],\"pirce\":\"2.30\"}", status: 422,
                mentions: ["pirce"]),
            Refusal(
                "unknown key in a price", .post, prices,
                json: batch(#"{"market":"m1","selection":"home","price":"2.2","pirce":"2.3"}"#),
                status: 422, mentions: ["prices[0]", "pirce"]),
            Refusal(
                "market on an unknown event", .put, "/v1/admin/markets/m9",
                json: market.replacingOccurrences(of: "\"e1\"", with: "\"e9\""), status: 404,
                mentions: ["e9"]),
            Refusal(
                "price for an unknown market", .post, prices,
                json: batch(item("m9", "home", "\"2.20\"")), status: 404,
                mentions: ["prices[0]", "m9"]),
            Refusal(
                "price for an unknown selection", .post, prices,
                json: batch(item("m1", "nobody", "\"2.20\"")), status: 404,
                mentions: ["prices[0]", "nobody"]),
            Refusal(
                "price 1.00", .post, prices, json: batch(item("m1", "home", "\"1.00\"")),
                status: 422, mentions: ["prices[0].price", "1.00"]),
            Refusal(
                "price 0.5", .post, prices, json: batch(item("m1", "home", "\"0.5\"")),
                status: 422, mentions: ["prices[0].price", "0.5"]),
            Refusal(
                "price with six decimals", .post, prices,
                json: batch(item("m1", "home", "\"2.123456\"")), status: 422,
                mentions: ["prices[0].price", "decimal places"]),
            Refusal(
                "price with an exponent", .post, prices,
                json: batch(item("m1", "home", "2.5e0")), status: 422,
                mentions: ["prices[0].price", "2.5e0"]),
            Refusal(
                "price true", .post, prices, json: batch(item("m1", "home", "true")),
                status: 422, mentions: ["prices[0].price", "number"]),
            Refusal(
                "empty batch", .post, prices, json: batch(), status: 422,
                mentions: ["prices", "empty"]),
            Refusal(
                "last of 100 names an unknown selection", .post, prices,
                json: batchOfHundred(last: item("m1", "nobody", "\"2.20\"")), status: 404,
                mentions: ["prices[99]", "nobody"]),
            Refusal(
                "last of 100 has a bad price", .post, prices,
                json: batchOfHundred(last: item("m1", "draw", "\"1.00\"")), status: 422,
                mentions: ["prices[99].price"]),
            Refusal(
                "body over the admin limit", .post, prices, json: oversizedBatch(), status: 413,
                mentions: ["too large"]),
            Refusal(
                "wrong token", .post, prices, json: batch(valid),
                token: "wrong-token-0123456789abcdef", status: 401, mentions: ["token"],
                header: "www-authenticate"),
            Refusal(
                "missing token", .post, prices, json: batch(valid), token: nil, status: 401,
                mentions: ["token"], header: "www-authenticate"),
            Refusal(
                "market id of 100 characters", .put,
                "/v1/admin/markets/" + String(repeating: "a", count: 100), json: market,
                status: 422, mentions: ["market id"]),
            Refusal(
                "market id with an escaped space", .put, "/v1/admin/markets/m%20x",
                json: market, status: 422, mentions: ["market id"]),
            Refusal(
                "duplicate selection ids", .put, "/v1/admin/markets/m1",
                json: market.replacingOccurrences(of: "\"away\"", with: "\"home\""),
                status: 422, mentions: ["selections[1].id", "home"]),
            Refusal(
                "start time with an offset", .put, "/v1/admin/events/e1",
                json: """
                    {"sport":"football","competition":"Test League","name":"Home v Away",
                     "startTime":"2026-12-05T16:00:00+01:00"}
                    """,
                status: 422, mentions: ["startTime"]),
            Refusal(
                "start time without a zone", .put, "/v1/admin/events/e1",
                json: """
                    {"sport":"football","competition":"Test League","name":"Home v Away",
                     "startTime":"2026-12-05 15:00:00"}
                    """,
                status: 422, mentions: ["startTime"]),
        ]
    }

    /// 99 valid prices over m0 and m1, each a real change, then `last`.
    private static func batchOfHundred(last: String) -> String {
        let items = (0..<99).map { index in
            let price = "\(3 + index / 100).\(String(format: "%02d", index % 100))"
            return "{\"market\":\"m\(index % 2)\",\"selection\":\"away\",\"price\":\"\(price)\"}"
        }
        return "{\"prices\":[\(items.joined(separator: ",")),\(last)]}"
    }

    /// A well-formed batch of about 100 KB: over the limit and wrong in nothing else.
    private static func oversizedBatch() -> String {
        let item = #"{"market":"m1","selection":"home","price":"2.20"}"#
        let count = 100_000 / (item.utf8.count + 1)
        let body = "{\"prices\":[" + Array(repeating: item, count: count)
            .joined(separator: ",") + "]}"
        precondition(body.utf8.count > maxRequestBodyBytes)
        return body
    }

    // MARK: Helpers

    /// The origin as seen from outside; equal before and after every refusal.
    struct BookState: Equatable {
        var sequence: Int64
        var digest: String
        /// The admin documents of m0 and m1, as sent.
        var markets: [String]
    }

    private func startedOrigin() throws -> OriginNode {
        let origin = try OriginNode(settings: ["maxRequestBodyBytes": Self.maxRequestBodyBytes])
        try origin.start()
        return origin
    }

    private func state(of origin: OriginNode) async throws -> BookState {
        let status = try await origin.status()
        var markets: [String] = []
        for id in ["m0", "m1"] {
            let response = try await origin.request(.get, "/v1/admin/markets/\(id)")
            try expectOK(response)
            markets.append(response.text)
        }
        return BookState(
            sequence: status["sequence"]?.int64Value ?? -1,
            digest: status["digest"]?.stringValue ?? "", markets: markets)
    }

    private func assertProblem(
        _ response: HTTPClientResponse, _ refusal: Refusal,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let name = refusal.name
        XCTAssertEqual(
            response.status, refusal.status, "\(name): \(response.text)", file: file, line: line)
        XCTAssertEqual(
            response.headers["content-type"], "application/problem+json", name,
            file: file, line: line)
        if let header = refusal.header {
            XCTAssertNotNil(
                response.headers[header], "\(name): no \(header)", file: file, line: line)
        }
        let problem = (try? JSONParser.parse(response.body))?.objectValue
        XCTAssertEqual(
            problem?["status"]?.int64Value, Int64(refusal.status), "\(name): \(response.text)",
            file: file, line: line)
        // The transport's own refusals (413) carry a title only; the admin API's a detail.
        let detail = problem?["detail"]?.stringValue ?? problem?["title"]?.stringValue ?? ""
        for word in refusal.mentions {
            XCTAssertTrue(
                detail.lowercased().contains(word.lowercased()),
                "\(name): \"\(detail)\" does not mention \(word)", file: file, line: line)
        }
    }
}
