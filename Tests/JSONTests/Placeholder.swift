import XCTest

final class JSONTestsPlaceholder: XCTestCase {}
