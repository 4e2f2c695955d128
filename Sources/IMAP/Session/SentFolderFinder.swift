/// Finds the folder that holds sent mail: RFC 6154 SPECIAL-USE `\Sent` first, then names
/// clients use in many languages, compared case-insensitively on the last hierarchy level.
public enum SentFolderFinder {
    /// In order of preference; the first name matching any listed folder wins.
    public static let commonNames: [String] = [
        "Sent", "Sent Items", "Sent Messages", "Sent Mail", "[Gmail]/Sent Mail",
        "Gesendet", "Gesendete Elemente", "Gesendete Objekte",
        "Envoyés", "Éléments envoyés", "Messages envoyés",
        "Enviados", "Elementos enviados", "Itens Enviados",
        "Inviata", "Posta inviata", "Inviati", "Verzonden", "Verzonden items",
        "Wysłane", "Elementy wysłane", "Отправленные", "Elküldött", "Elküldött elemek",
        "Odeslané", "Odeslaná pošta", "Απεσταλμένα", "已发送", "已发送邮件", "寄件備份",
        "送信済み", "送信済みアイテム", "보낸편지함", "Skickat", "Skickade objekt",
        "Sendt", "Sendte elementer", "Sendt post", "Lähetetyt", "Gönderilenler", "Trimise",
    ]

    public static func find(in entries: [ListEntry]) -> MailboxName? {
        let selectable = entries.filter { !$0.hasAttribute("\\Noselect") && !$0.hasAttribute("\\NonExistent") }
        if let special = selectable.first(where: { $0.hasAttribute("\\Sent") }) { return special.mailbox }
        for name in commonNames {
            let wanted = name.lowercased()
            for entry in selectable {
                let full = entry.mailbox.displayName
                if full.lowercased() == wanted { return entry.mailbox }
            }
            for entry in selectable {
                if lastLevel(of: entry).lowercased() == wanted { return entry.mailbox }
            }
        }
        return nil
    }

    private static func lastLevel(of entry: ListEntry) -> String {
        let full = entry.mailbox.displayName
        guard let delimiter = entry.delimiter else { return full }
        return full.split(separator: Character(Unicode.Scalar(delimiter)), omittingEmptySubsequences: false).last.map(String.init) ?? full
    }
}
