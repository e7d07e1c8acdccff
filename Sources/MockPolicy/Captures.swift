/// Values captured while a rule's matchers ran (`{id}` in a path, `(?<token>...)` in a regex), readable in
/// the rule's templates as `{{captures.NAME}}`.
///
/// A few pairs at most, so a list beats a dictionary. Each rule starts with an empty set; the captures of a
/// rule that did not match are discarded with it.
struct Captures: Sendable {
    private(set) var pairs: [(name: String, value: String)] = []

    /// Sets `name`; a later capture of the same name replaces an earlier one.
    mutating func set(_ name: String, _ value: String) {
        if let index = self.pairs.firstIndex(where: { $0.name == name }) {
            self.pairs[index].value = value
        } else {
            self.pairs.append((name, value))
        }
    }

    func value(_ name: String) -> String? {
        self.pairs.first { $0.name == name }?.value
    }
}
