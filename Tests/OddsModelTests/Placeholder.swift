import XCTest

final class OddsModelTestsPlaceholder: XCTestCase {}
