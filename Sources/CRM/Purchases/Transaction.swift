/// One purchase as the model sees it: who, which day, how much (in the customer's currency; only used
/// for the typical order value).
public struct Transaction: Hashable, Sendable {
    public var customerID: String
    public var day: PurchaseDay
    public var amount: Double

    public init(customerID: String, day: PurchaseDay, amount: Double = 0) {
        self.customerID = customerID
        self.day = day
        self.amount = amount
    }
}
