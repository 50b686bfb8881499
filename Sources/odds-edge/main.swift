import OddsEdge

EdgeCommand.main(arguments: Array(CommandLine.arguments.dropFirst()))
