import Foundation
import Store
import TestSupport
import XCTest

/// A fresh environment in a temporary directory, for one test.
func withEnvironment<Result>(
    _ configuration: StoreConfiguration = StoreConfiguration(),
    _ body: (StoreEnvironment, TemporaryDirectory) throws -> Result
) throws -> Result {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let environment = try StoreEnvironment(directory: directory.path, configuration: configuration)
    return try withExtendedLifetime(environment) { try body(environment, directory) }
}

/// Asserts that `body` throws a `StoreError` with `code`.
func assertStoreError<Result>(
    _ code: StoreError.Code, file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> Result
) {
    do {
        _ = try body()
        XCTFail("expected a StoreError \(code), nothing was thrown", file: file, line: line)
    } catch let error as StoreError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
    } catch {
        XCTFail("expected a StoreError \(code), got \(error)", file: file, line: line)
    }
}

/// `count` bytes that differ with `seed`, to tell values apart.
func bytes(_ count: Int, seed: Int) -> [UInt8] {
    var result = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
        result[index] = UInt8(truncatingIfNeeded: index &* 31 &+ seed)
    }
    return result
}
