import CJemalloc
import OddsOrigin

OriginCommand.main(
    arguments: Array(CommandLine.arguments.dropFirst()),
    allocator: "jemalloc " + String(cString: oddsnet_allocator_version()))
