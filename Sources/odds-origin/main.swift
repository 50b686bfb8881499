import OddsOrigin

// Release builds link jemalloc (see Package.swift); debug builds keep the system allocator.
#if DEBUG
let allocator = "system (debug build)"
#else
import CJemalloc
let allocator = "jemalloc " + String(cString: oddsnet_allocator_version())
#endif

OriginCommand.main(arguments: Array(CommandLine.arguments.dropFirst()), allocator: allocator)
