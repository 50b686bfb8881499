/// The result of an edge's last comparison of its markets with the origin's.
public struct IntegrityReport: Sendable, Equatable {
    public enum Outcome: UInt8, Sendable {
        case unchecked = 0
        /// Every market matched.
        case matched = 1
        /// Some differed and were repaired from the origin.
        case repaired = 2
        /// Some differed and could not be repaired yet.
        case mismatched = 3

        public var name: String {
            switch self {
            case .unchecked: return "unchecked"
            case .matched: return "match"
            case .repaired: return "repaired"
            case .mismatched: return "mismatch"
            }
        }
    }

    public var outcome: Outcome
    public var checkedAtMicros: Int64
    public var marketsRepaired: Int

    public init(
        outcome: Outcome = .unchecked, checkedAtMicros: Int64 = 0, marketsRepaired: Int = 0
    ) {
        self.outcome = outcome
        self.checkedAtMicros = checkedAtMicros
        self.marketsRepaired = marketsRepaired
    }
}
