import ArgumentParser
import GatewayConfig

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file; print every problem with its location. Exit 0 when valid, 1 when not."
    )

    @Argument(help: "The configuration file (Kong declarative YAML or JSON).")
    var file: String

    func run() throws {
        do {
            let configuration = try ConfigurationLoader.load(path: self.file)
            print(
                "configuration OK: \(configuration.services.count) services, \(configuration.routes.count) routes, "
                    + "\(configuration.plugins.count) plugins"
            )
        } catch {
            for problem in error.problems { print(problem.description) }
            print("\(self.file): \(error.problems.count) problem(s)")
            throw ExitCode(1)
        }
    }
}
