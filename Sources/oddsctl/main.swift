import OddsControl

ControlCommand.main(arguments: Array(CommandLine.arguments.dropFirst()))
