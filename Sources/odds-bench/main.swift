import Foundation
import OddsBench

exit(await BenchCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
