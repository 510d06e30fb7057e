/** CRM notes: [customer number, staff 1|2, days before the reference date, text, ticket number?]. */
export const NOTES: ReadonlyArray<readonly [number, 1 | 2, number, string, number?]> = [
  [1, 1, 80, 'Long-standing customer since 2019. Prefers Slack over email for quick questions.'],
  [1, 2, 30, 'Travels to Portugal and Spain often; suggested enabling travel notice in the app.'],
  [1, 1, 0.9, 'Declined payment in Lisbon was the fraud rule for first use abroad. Waiting for confirmation of travel.', 1009],
  [3, 1, 58, 'Goodwill refund of the monthly fee given once (October). Explain the €500 deposit rule if it happens again.', 1001],
  [6, 2, 41, 'Lost card reported quickly; replacement card sent to the address on file.', 1002],
  [7, 1, 2, 'Fraud case open: account frozen, three online payments disputed. Call back before unfreezing.', 1007],
  [9, 2, 4, 'SWIFT trace TRC-88412 requested for the transfer to Taipei.', 1008],
  [10, 1, 33, 'Identity verified by phone with the security questions; reset link sent.', 1003],
  [12, 1, 9, 'Moved within Dublin; address updated on request.', 1005],
  [13, 2, 64, 'Asked about mortgage pre-approval. Follow up in December.'],
  [15, 1, 15, 'Duplicate settlement from the supermarket; chargeback raised and provisional credit given.', 1006],
  [17, 2, 50, 'Runs a small business; interested in a business account when it launches in Kenya.'],
  [19, 1, 22, 'Prefers contact after 18:00 Sydney time.'],
  [22, 2, 12, 'Requested statements in English and Korean; English only for now.'],
  [24, 1, 70, 'Complained about branch queue times; offered a video appointment instead.'],
];
