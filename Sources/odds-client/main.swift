import Foundation
import OddsClient

exit(await WatchCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
