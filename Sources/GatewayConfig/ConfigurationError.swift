/// One thing wrong with a configuration file, with where it is.
///
/// Problems are collected rather than thrown one by one so that `check-config` can print every mistake of a
/// file in a single run, each with the key path a user can search for in the file.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// Key path in the document, e.g. `services[0].routes[1].paths[0]`; `""` when the problem concerns the
    /// whole file (unreadable file, invalid YAML, not a mapping).
    public var path: String
    /// What is wrong and, when it helps, what was expected. Never contains a resolved secret.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`, or just `message` when the path is empty.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Thrown by `ConfigurationLoader` when a file cannot be used; carries every problem found, not just the first.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// Every problem found, in the order they appear in the file (problems without a position come first).
    /// Never empty when thrown by the loader.
    public var problems: [ConfigurationProblem]

    public init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    /// One problem per line, ready to print to a terminal.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
