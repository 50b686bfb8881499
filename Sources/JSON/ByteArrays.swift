/// Making a `[UInt8]` by writing its bytes through a pointer.
///
/// `[UInt8](unsafeUninitializedCapacity:initializingWith:)` allocates through the standard
/// library's unspecialised path, which looks the array's storage type up in the runtime's
/// metadata cache under a lock: about 350 instructions per array, more than writing a
/// kilobyte and copying it. The edge makes three such arrays for every market change.
public enum ByteArrays {
    /// The first `fill(start)` bytes `fill` writes into `capacity` bytes of scratch memory
    /// (on the stack when small), copied into a new array. `fill` returns how many it
    /// wrote; more than `capacity` has overwritten memory already, and stops the process.
    @inlinable
    public static func make(capacity: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Int)
        -> [UInt8]
    {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Swift.max(1, capacity)) {
            scratch in
            let count = fill(scratch.baseAddress!)
            precondition(
                count >= 0 && count <= capacity, "wrote past the memory reckoned for it")
            return Array(UnsafeBufferPointer(rebasing: scratch[..<count]))
        }
    }
}
