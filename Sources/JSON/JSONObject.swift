/// A JSON object: its members in document order, with unique keys.
///
/// Lookup by key is a linear scan, which beats hashing for the small objects this system reads
/// and writes (configuration sections, API bodies, market records). Two objects are equal when
/// they hold equal members in the same order.
public struct JSONObject: Sendable, Equatable {
    /// The members in document order. Keys are unique.
    public private(set) var members: [(key: String, value: JSONValue)]

    /// Above this many members, removing duplicate keys uses a hash table instead of scanning.
    static let linearScanMemberLimit = 16

    /// An empty object.
    public init() {
        members = []
    }

    /// An object with `members` in the given order. When a key repeats, the later value replaces
    /// the earlier one, which keeps its position.
    public init(_ members: [(key: String, value: JSONValue)]) {
        self.members = []
        self.members.reserveCapacity(members.count)
        if members.count <= Self.linearScanMemberLimit {
            for member in members {
                self[member.key] = member.value
            }
            return
        }

        var positions: [String: Int] = [:]
        for member in members {
            if let position = positions[member.key] {
                self.members[position].value = member.value
            } else {
                positions[member.key] = self.members.count
                self.members.append(member)
            }
        }
    }

    /// Takes members whose keys the caller has already checked to be unique.
    init(uniqueMembers members: [(key: String, value: JSONValue)]) {
        self.members = members
    }

    /// The number of members.
    public var count: Int {
        members.count
    }

    /// True when the object has no members.
    public var isEmpty: Bool {
        members.isEmpty
    }

    /// The keys in document order.
    public var keys: [String] {
        members.map(\.key)
    }

    /// The value for `key`, or nil when there is no such member. Setting a value replaces the
    /// member in place or appends a new one; setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return members[position].value
        }
        set {
            switch (position(of: key), newValue) {
            case (let position?, let value?):
                members[position].value = value
            case (let position?, nil):
                members.remove(at: position)
            case (nil, let value?):
                members.append((key: key, value: value))
            case (nil, nil):
                break
            }
        }
    }

    /// The index in `members` of the member named `key`, or nil.
    public func position(of key: String) -> Int? {
        members.firstIndex { $0.key == key }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (left, right) in zip(lhs.members, rhs.members) {
            guard left.key == right.key, left.value == right.value else { return false }
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Members keep the literal's order; a repeated key replaces the earlier value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }
}
