import CNghttp2

/// The SETTINGS an endpoint sends at the start of a session, and its connection window.
enum HTTP2Settings {
    /// Submits `entries` (identifier, value) and opens the connection-level receive window to
    /// `connectionWindowBytes`. Throws nghttp2's error.
    static func submit(
        _ entries: [(nghttp2_settings_id, UInt32)], connectionWindowBytes: Int,
        on session: OpaquePointer
    ) throws(TransportError) {
        var settings = entries.map {
            nghttp2_settings_entry(settings_id: Int32($0.0.rawValue), value: $0.1)
        }
        try Nghttp2Error.check(
            nghttp2_submit_settings(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count),
            "submit_settings")
        try Nghttp2Error.check(
            nghttp2_session_set_local_window_size(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(connectionWindowBytes)),
            "set_local_window_size")
    }
}
