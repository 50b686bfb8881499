import JSON
import OddsModel

/// A sample card for a local network: a football matchday and a tennis day, each event with
/// the markets a bookmaker would show, at plausible prices.
struct SampleCard {
    struct Entry {
        var path: String
        var body: [UInt8]
    }

    static let footballTeams = [
        "Arsenal", "Aston Villa", "Bournemouth", "Brentford", "Brighton", "Chelsea",
        "Crystal Palace", "Everton", "Fulham", "Ipswich", "Leicester", "Liverpool",
        "Manchester City", "Manchester United", "Newcastle", "Nottingham Forest", "Southampton",
        "Tottenham", "West Ham", "Wolves", "Leeds", "Burnley", "Sunderland", "Sheffield United",
        "Middlesbrough", "Norwich", "Coventry", "West Brom", "Watford", "Stoke", "Hull",
        "Millwall",
    ]
    static let tennisPlayers = [
        "Sinner", "Alcaraz", "Zverev", "Fritz", "Medvedev", "Ruud", "Djokovic", "Draper",
        "De Minaur", "Rune", "Tsitsipas", "Paul", "Dimitrov", "Shelton", "Hurkacz", "Musetti",
        "Sabalenka", "Swiatek", "Gauff", "Pegula", "Rybakina", "Paolini", "Zheng", "Navarro",
        "Andreeva", "Keys", "Badosa", "Kasatkina", "Muchova", "Svitolina", "Ostapenko", "Vekic",
    ]

    /// Events and markets in creation order (events first). `day` is the matchday's date in
    /// Unix milliseconds at midnight UTC.
    static func entries(footballMatches: Int, tennisMatches: Int, day: Int64) -> [Entry] {
        var generator = SeededGenerator(seed: 2026)
        var events: [Entry] = []
        var markets: [Entry] = []
        for index in 0..<footballMatches {
            let home = footballTeams[(index * 2) % footballTeams.count]
            let away = footballTeams[(index * 2 + 1) % footballTeams.count]
            let id = "fb-\(index + 1)"
            let kickOff = day + Int64(12 * 3600 + (index % 4) * 9000) * 1000
            events.append(event(
                id: id, sport: "football", competition: "Premier League",
                name: "\(home) v \(away)", start: kickOff))
            let homeWin = 1.5 + Double(generator.next() % 300) / 100
            markets.append(market("\(id)-mo", event: id, type: "match_odds", name: "Match Odds", [
                ("home", home, homeWin),
                ("draw", "Draw", 3.1 + Double(generator.next() % 80) / 100),
                ("away", away, 1.4 + 1 / (1 - 1 / homeWin) + Double(generator.next() % 50) / 100),
            ]))
            markets.append(market("\(id)-ou25", event: id, type: "over_under_2_5",
                name: "Over/Under 2.5 Goals",
                [("over", "Over 2.5", 1.9), ("under", "Under 2.5", 1.95)]))
            markets.append(market("\(id)-btts", event: id, type: "both_teams_to_score",
                name: "Both Teams to Score", [("yes", "Yes", 1.8), ("no", "No", 2.0)]))
            markets.append(market("\(id)-dc", event: id, type: "double_chance",
                name: "Double Chance", [
                    ("home-draw", "\(home) or Draw", 1.3), ("draw-away", "Draw or \(away)", 1.6),
                    ("home-away", "\(home) or \(away)", 1.35),
                ]))
            markets.append(market("\(id)-ht", event: id, type: "half_time",
                name: "Half Time Result", [
                    ("home", home, homeWin + 0.9), ("draw", "Draw", 2.2), ("away", away, 3.8),
                ]))
            markets.append(market("\(id)-fg", event: id, type: "first_goal",
                name: "First Team to Score", [
                    ("home", home, 1.8), ("none", "No Goal", 9.0), ("away", away, 2.3),
                ]))
        }
        for index in 0..<tennisMatches {
            let first = tennisPlayers[(index * 2) % tennisPlayers.count]
            let second = tennisPlayers[(index * 2 + 1) % tennisPlayers.count]
            let id = "tn-\(index + 1)"
            let start = day + Int64(10 * 3600 + index * 1800) * 1000
            events.append(event(
                id: id, sport: "tennis",
                competition: index < tennisMatches / 2 ? "ATP Finals" : "WTA Finals",
                name: "\(first) v \(second)", start: start))
            let favourite = 1.2 + Double(generator.next() % 100) / 100
            markets.append(market("\(id)-mw", event: id, type: "match_winner",
                name: "Match Winner", [("p1", first, favourite),
                ("p2", second, 1 + 1 / (favourite - 1) * 0.95)]))
            markets.append(market("\(id)-s1", event: id, type: "set_1_winner",
                name: "First Set Winner", [("p1", first, favourite + 0.1),
                ("p2", second, 1 + 1 / (favourite - 0.9) * 0.95)]))
            markets.append(market("\(id)-tg", event: id, type: "total_games_22_5",
                name: "Total Games 22.5",
                [("over", "Over 22.5", 1.85), ("under", "Under 22.5", 1.95)]))
        }
        return events + markets
    }

    private static func event(id: String, sport: String, competition: String, name: String,
        start: Int64) -> Entry
    {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("sport")
        writer.string(sport)
        writer.key("competition")
        writer.string(competition)
        writer.key("name")
        writer.string(name)
        writer.key("startTime")
        writer.string(String(Timestamp.iso8601(milliseconds: start).prefix(19)) + "Z")
        writer.endObject()
        return Entry(path: "/v1/admin/events/\(id)", body: writer.bytes)
    }

    private static func market(
        _ id: String, event: String, type: String, name: String,
        _ selections: [(String, String, Double)]
    ) -> Entry {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("event")
        writer.string(event)
        writer.key("type")
        writer.string(type)
        writer.key("name")
        writer.string(name)
        writer.key("selections")
        writer.beginArray()
        for (selectionID, selectionName, price) in selections {
            writer.beginObject()
            writer.key("id")
            writer.string(selectionID)
            writer.key("name")
            writer.string(selectionName)
            writer.key("price")
            writer.string(PriceLadder.nearest(price).decimalText)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return Entry(path: "/v1/admin/markets/\(id)", body: writer.bytes)
    }
}

/// The exchange-style price ladder: 1.01 to 2 in steps of 0.01, to 3 in 0.02, to 4 in 0.05,
/// to 6 in 0.1, to 10 in 0.2, to 20 in 0.5, to 30 in 1, to 50 in 2, to 100 in 5.
enum PriceLadder {
    static let steps: [Price] = {
        var units: [Int64] = []
        var value: Int64 = 10_100
        let bands: [(Int64, Int64)] = [
            (20_000, 100), (30_000, 200), (40_000, 500), (60_000, 1000), (100_000, 2000),
            (200_000, 5000), (300_000, 10_000), (500_000, 20_000), (1_000_000, 50_000),
        ]
        for (upper, step) in bands {
            while value < upper {
                units.append(value)
                value += step
            }
        }
        units.append(1_000_000)
        return units.compactMap { Price(units: $0) }
    }()

    /// The ladder step closest to `value` (display only: no money is computed from it).
    static func nearest(_ value: Double) -> Price {
        let units = Int64((value * 10_000).rounded())
        return steps.min { abs($0.units - units) < abs($1.units - units) } ?? steps[0]
    }

    /// The step `by` ticks away from `price`'s, clamped to the ladder.
    static func move(_ price: Price, by ticks: Int) -> Price {
        let index = steps.firstIndex { $0.units >= price.units } ?? steps.count - 1
        return steps[min(max(0, index + ticks), steps.count - 1)]
    }
}

/// A small deterministic generator (SplitMix64): the same card every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
