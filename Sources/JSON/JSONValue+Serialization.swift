extension JSONValue {
    /// Returns the value as compact JSON in UTF-8: no whitespace, members in their stored order,
    /// numbers in their literal text.
    public func serialized() -> [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }

    /// The value as compact JSON text; see `serialized()`.
    public var jsonText: String {
        String(decoding: serialized(), as: UTF8.self)
    }
}
