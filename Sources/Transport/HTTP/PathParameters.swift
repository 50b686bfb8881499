/// The `:name` segments a route matched, in pattern order.
///
/// Routes have one or two parameters, so the first two are held inline and looked up by a
/// linear scan: matching a request allocates nothing and hashes nothing.
public struct PathParameters: Sendable {
    private var first: (name: String, value: Substring)?
    private var second: (name: String, value: Substring)?
    private var more: [(name: String, value: Substring)] = []

    public init() {}

    /// The value bound to `name`, or nil.
    public subscript(name: String) -> Substring? {
        get {
            if let first, first.name == name { return first.value }
            if let second, second.name == name { return second.value }
            return more.first { $0.name == name }?.value
        }
        set {
            guard let newValue else { return }
            if first == nil || first?.name == name {
                first = (name, newValue)
            } else if second == nil || second?.name == name {
                second = (name, newValue)
            } else if let index = more.firstIndex(where: { $0.name == name }) {
                more[index].value = newValue
            } else {
                more.append((name, newValue))
            }
        }
    }
}
