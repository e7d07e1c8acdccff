import Foundation
import MockPolicy
import Testing

@Suite struct QuickStartRulesTests {
    /// The demo embeds the quick start's rules; the shipped file must not drift from them.
    @Test func embeddedQuickStartRulesAreTheShippedDefaultFile() throws {
        let file = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/policies/default.yml")
        let shipped = try String(contentsOf: file, encoding: .utf8)
        #expect(shipped.trimmingCharacters(in: .whitespacesAndNewlines) == MockRules.quickStartText.trimmingCharacters(in: .whitespacesAndNewlines))
        _ = try MockRules.parse(MockRules.quickStartText, sourceName: "quick start")
    }
}
