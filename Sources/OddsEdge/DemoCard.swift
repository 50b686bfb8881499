/// A generated card of markets for demo mode: the transport can be measured, and the edge
/// tried, without an origin. Each market renders to a JSON document of about 1 KB.
public struct DemoCard: Sendable {
    public struct Market: Sendable {
        public let id: String
        public let document: [UInt8]
    }

    public let markets: [String: Market]
    public let ids: [String]
    /// `{"markets":[...ids...]}`.
    public let index: [UInt8]

    /// Makes `count` markets, the same every time for the same count.
    public init(count: Int = 1000) {
        let teams = [
            "Arsenal", "Aston Villa", "Brentford", "Brighton", "Chelsea", "Everton", "Fulham",
            "Liverpool", "Newcastle", "Tottenham", "West Ham", "Wolves",
        ]
        var markets: [String: Market] = [:]
        var ids: [String] = []
        for number in 0..<count {
            let id = "m\(Self.firstNumber + number)"
            let home = teams[number % teams.count]
            let away = teams[(number / teams.count + number + 1) % teams.count]
            let document = Self.render(id: id, number: number, home: home, away: away)
            markets[id] = Market(id: id, document: Array(document.utf8))
            ids.append(id)
        }
        self.markets = markets
        self.ids = ids
        let quoted = ids.map { "\"\($0)\"" }.joined(separator: ",")
        index = Array("{\"markets\":[\(quoted)]}".utf8)
    }

    /// The position of the market with id `m(100000 + position)` in `ids`, from the id's
    /// bytes; nil for any other id.
    public static func number(ofID id: UnsafeRawBufferPointer) -> Int? {
        guard id.count >= 2, id.count <= 10, id[0] == UInt8(ascii: "m"), id[1] != UInt8(ascii: "0")
        else { return nil }
        var value = 0
        for byte in id.dropFirst() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        let position = value - firstNumber
        return position >= 0 ? position : nil
    }

    private static let firstNumber = 100_000

    private static func render(id: String, number: Int, home: String, away: String) -> String {
        // Prices as exact decimals from integer hundredths: no floating point.
        func price(_ hundredths: Int) -> String {
            "\(hundredths / 100).\(String(hundredths % 100).leftPadded(to: 2))"
        }
        let homePrice = 150 + (number * 37) % 300
        let drawPrice = 280 + (number * 11) % 120
        let awayPrice = 170 + (number * 53) % 400
        return """
            {"id":"\(id)","event":{"id":"e\(50_000 + number / 4)","sport":"football",\
            "competition":"Premier League","name":"\(home) v \(away)",\
            "start":"2026-12-05T15:00:00Z","status":"scheduled"},\
            "type":"match_odds","name":"Match Odds","status":"open","inPlay":false,\
            "betDelayMs":0,"version":\(1 + number % 17),"selections":[\
            {"id":"s\(number * 3 + 1)","name":"\(home)","price":"\(price(homePrice))",\
            "status":"active"},\
            {"id":"s\(number * 3 + 2)","name":"The Draw","price":"\(price(drawPrice))",\
            "status":"active"},\
            {"id":"s\(number * 3 + 3)","name":"\(away)","price":"\(price(awayPrice))",\
            "status":"active"}],\
            "rules":"Settled on the result at the end of 90 minutes plus stoppage time. \
            Extra time and penalties do not count. Dead heat rules apply where stated.",\
            "publishedAt":"2026-12-03T12:00:00.000Z","sequence":\(1_000 + number)}
            """
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
