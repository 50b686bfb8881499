import JSON

extension JSONValue {
    /// The member `key` of an object as text for a person: a string as it is, a number in its
    /// literal text, a boolean as `yes` or `no`, and `-` when the member is missing, null or
    /// this value is not an object. Arrays and objects come out as compact JSON.
    subscript(display key: String) -> String {
        guard let member = objectValue?[key] else { return "-" }
        switch member {
        case .null: return "-"
        case .bool(let flag): return flag ? "yes" : "no"
        case .number(let text): return text
        case .string(let text): return text
        case .array, .object: return member.jsonText
        }
    }

    /// The member `key` of an object, or nil.
    subscript(member key: String) -> JSONValue? {
        objectValue?[key]
    }
}
