/// The `:name` segments (and a final `*`) a route matched, as byte ranges of the request
/// target, with the route's names for them.
///
/// Matching a request allocates nothing: the names are the route's own array, and the first
/// two ranges are held inline (routes have one or two parameters).
public struct PathParameters: Sendable {
    struct Span: Sendable {
        var start: Int32
        var end: Int32
    }

    /// The route's parameter names, in pattern order; empty until the router binds a route.
    private(set) var names: [String] = []
    private var first = Span(start: 0, end: 0)
    private var second = Span(start: 0, end: 0)
    private var more: [Span] = []
    private(set) var count = 0

    public init() {}

    init(names: [String]) {
        self.names = names
    }

    mutating func append(start: Int, end: Int) {
        let span = Span(start: Int32(start), end: Int32(end))
        switch count {
        case 0: first = span
        case 1: second = span
        default: more.append(span)
        }
        count += 1
    }

    /// The byte range bound to `name`, or nil.
    func range(of name: String) -> Range<Int>? {
        for index in 0..<count where names[index] == name {
            let span: Span
            switch index {
            case 0: span = first
            case 1: span = second
            default: span = more[index - 2]
            }
            return Int(span.start)..<Int(span.end)
        }
        return nil
    }
}
