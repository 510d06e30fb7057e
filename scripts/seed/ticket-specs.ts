import type { Channel, TicketCategory, TicketPriority, TicketStatus } from '../../src/store/schema.js';

/** Something that happens on a ticket, `h` hours after it was opened. */
export type TicketEvent =
  | { h: number; kind: 'reply'; staff: 1 | 2; body: string }
  | { h: number; kind: 'internal'; staff: 1 | 2; body: string }
  | { h: number; kind: 'customer'; body: string }
  | { h: number; kind: 'status'; to: TicketStatus; by: 'staff1' | 'staff2' | 'customer' | 'system'; note?: string };

export interface TicketSpec {
  customer: number | null;
  contact?: string;
  daysAgo: number;
  channel: Channel;
  category: TicketCategory;
  priority: TicketPriority;
  subject: string;
  description: string;
  events: TicketEvent[];
}

/** The demo tickets, T-1001 onwards. Every status appears several times; one ticket was reopened. */
export const TICKETS: readonly TicketSpec[] = [
  {
    customer: 3, daysAgo: 58, channel: 'email', category: 'billing', priority: 'normal',
    subject: 'Unexpected monthly account fee',
    description: 'Hi, I was charged a €4.50 account fee this month but my plan is supposed to be free. Can you explain and refund it please?',
    events: [
      { h: 3, kind: 'status', to: 'in_progress', by: 'staff1' },
      { h: 3.2, kind: 'internal', staff: 1, body: 'Fee applied because the monthly deposit fell under €500 in October. First time, goodwill refund OK.' },
      { h: 3.5, kind: 'reply', staff: 1, body: 'Hi Sofía, the fee applies when less than €500 is paid in during a month. As this is the first time, we have refunded it; it will show within 2 working days.' },
      { h: 4, kind: 'status', to: 'resolved', by: 'staff1', note: 'Goodwill refund of €4.50' },
      { h: 30, kind: 'customer', body: 'Thank you, I can see the refund now.' },
      { h: 74, kind: 'status', to: 'closed', by: 'system', note: 'Closed after 3 days resolved' },
    ],
  },
  {
    customer: 6, daysAgo: 41, channel: 'slack', category: 'card', priority: 'urgent',
    subject: 'Lost my card at Berlin Hauptbahnhof',
    description: 'I think I lost my debit card at Berlin Hbf about an hour ago. Please block it right away!',
    events: [
      { h: 0.2, kind: 'reply', staff: 2, body: 'I am sorry to hear that, Lukas. I have asked for the card to be deactivated; you will get a confirmation in a moment.' },
      { h: 0.25, kind: 'status', to: 'in_progress', by: 'staff2' },
      { h: 0.5, kind: 'internal', staff: 2, body: 'Card deactivation approved. No transactions after the reported loss time.' },
      { h: 0.6, kind: 'reply', staff: 2, body: 'The lost card is now deactivated. A replacement is on its way and should arrive in 3–5 working days.' },
      { h: 0.7, kind: 'status', to: 'resolved', by: 'staff2' },
      { h: 72, kind: 'status', to: 'closed', by: 'system', note: 'Closed after 3 days resolved' },
    ],
  },
  {
    customer: 10, daysAgo: 33, channel: 'phone', category: 'account_access', priority: 'high',
    subject: 'Locked out after too many login attempts',
    description: 'I am locked out of online banking after entering the wrong password a few times and I need to pay rent today.',
    events: [
      { h: 0.5, kind: 'status', to: 'in_progress', by: 'staff1' },
      { h: 0.6, kind: 'reply', staff: 1, body: 'We verified your identity by phone and sent a password reset link to the email on file. The link is valid for 30 minutes.' },
      { h: 1.5, kind: 'customer', body: 'Got it, I am back in. Thanks for the quick help.' },
      { h: 1.6, kind: 'status', to: 'resolved', by: 'staff1' },
      { h: 75, kind: 'status', to: 'closed', by: 'system', note: 'Closed after 3 days resolved' },
    ],
  },
  {
    customer: 4, daysAgo: 12, channel: 'email', category: 'technical', priority: 'normal',
    subject: 'App crashes when opening statements on iOS',
    description: 'Since the last update the iPhone app crashes every time I tap Statements. I am on iOS 19.1. Reinstalling did not help.',
    events: [
      { h: 5, kind: 'reply', staff: 2, body: 'Thanks for the report, Hiroshi. Our engineers have reproduced the crash and a fix is in review. We will let you know once it is released.' },
      { h: 5.1, kind: 'status', to: 'in_progress', by: 'staff2' },
      { h: 5.2, kind: 'internal', staff: 2, body: 'Linked to the statements PDF viewer bug on iOS 19.1 (known issue, fix in app version 8.4.1).' },
      { h: 80, kind: 'reply', staff: 2, body: 'Version 8.4.1 is now in the App Store and fixes the crash. Statements are also available on the website in the meantime.' },
      { h: 80.1, kind: 'status', to: 'resolved', by: 'staff2', note: 'Fixed in app 8.4.1' },
    ],
  },
  {
    customer: 12, daysAgo: 9, channel: 'web', category: 'address', priority: 'low',
    subject: 'Change of address after moving',
    description: 'I moved within Dublin last week. Please update my address to 7 Harcourt Terrace, Dublin 2, D02 X285.',
    events: [
      { h: 20, kind: 'status', to: 'in_progress', by: 'staff1' },
      { h: 20.5, kind: 'reply', staff: 1, body: 'Thanks Aoife, your address is updated. Your next statement will go to the new address.' },
      { h: 20.6, kind: 'status', to: 'resolved', by: 'staff1' },
    ],
  },
  {
    customer: 15, daysAgo: 21, channel: 'email', category: 'billing', priority: 'normal',
    subject: 'Charged twice for the same purchase',
    description: 'A payment at the supermarket appears twice on my statement. I only paid once. Could you check and refund the duplicate?',
    events: [
      { h: 6, kind: 'status', to: 'in_progress', by: 'staff2' },
      { h: 6.5, kind: 'reply', staff: 2, body: 'Hi Ana, one of the two entries was a pre-authorisation that the merchant released. It should disappear from your statement within 5 days.' },
      { h: 6.6, kind: 'status', to: 'resolved', by: 'staff2' },
      { h: 150, kind: 'customer', body: 'It is still there a week later and my balance is lower than it should be. This is frustrating.' },
      { h: 150.1, kind: 'status', to: 'open', by: 'customer', note: 'Reopened by customer' },
      { h: 152, kind: 'status', to: 'in_progress', by: 'staff1' },
      { h: 152.3, kind: 'internal', staff: 1, body: 'Merchant captured twice (duplicate settlement). Raised a chargeback and credited the amount provisionally.' },
      { h: 153, kind: 'reply', staff: 1, body: 'Sorry about this, Ana. The merchant did charge twice. We have credited the amount to your account while we recover it from them.' },
      { h: 153.2, kind: 'status', to: 'resolved', by: 'staff1', note: 'Provisional credit + chargeback' },
    ],
  },
  {
    customer: 7, daysAgo: 2, channel: 'slack', category: 'fraud', priority: 'urgent',
    subject: "Payments I don't recognise on my account",
    description: "There are three card payments to an online electronics shop last night that I did not make. I still have my card. I think my details were stolen.",
    events: [
      { h: 0.3, kind: 'status', to: 'in_progress', by: 'staff1' },
      { h: 0.35, kind: 'reply', staff: 1, body: 'Thank you for telling us straight away, Amélie. We have frozen the account to stop further payments and opened a fraud investigation.' },
      { h: 0.5, kind: 'internal', staff: 1, body: 'Account frozen pending investigation. 3 CNP transactions, same merchant, within 6 minutes. Card to be replaced.' },
      { h: 4, kind: 'customer', body: 'Thanks. How long will the investigation take? I need to pay my rent next week.' },
    ],
  },
  {
    customer: 9, daysAgo: 4, channel: 'email', category: 'billing', priority: 'high',
    subject: 'International transfer has not arrived after 5 days',
    description: 'I sent $2,400 to my sister in Taipei five days ago and it still has not arrived. The money has left my account. Where is it?',
    events: [
      { h: 9, kind: 'status', to: 'in_progress', by: 'staff2' },
      { h: 9.2, kind: 'reply', staff: 2, body: 'Hi Mei-Lin, we have asked the correspondent bank for a trace. These usually come back within 2 working days; we will update you as soon as we hear.' },
      { h: 9.3, kind: 'internal', staff: 2, body: 'SWIFT trace requested via ops (ref TRC-88412). Beneficiary bank may need the full name in English.' },
    ],
  },
  {
    customer: 1, daysAgo: 1, channel: 'slack', category: 'card', priority: 'normal',
    subject: 'Card declined at a restaurant in Lisbon',
    description: 'My debit card was declined at a restaurant in Lisbon tonight even though I have plenty of money in my account. Is something wrong with the card?',
    events: [
      { h: 1, kind: 'status', to: 'in_progress', by: 'staff1' },
      { h: 1.1, kind: 'reply', staff: 1, body: 'Hi Ada, the payment was declined by our fraud check because it was the first use of the card abroad. Could you confirm you are travelling in Portugal this week?' },
    ],
  },
  {
    customer: 18, daysAgo: 3, channel: 'email', category: 'technical', priority: 'normal',
    subject: 'Push notifications stopped after the app update',
    description: 'I no longer get notifications for card payments since updating the Android app. Notifications are enabled in the phone settings.',
    events: [
      { h: 26, kind: 'reply', staff: 2, body: 'Thanks Liam. Could you tell us the app version (Settings → About) and your phone model? That will help us find the cause.' },
    ],
  },
  {
    customer: null, contact: 'jordan.doe@example.net', daysAgo: 1, channel: 'email', category: 'general', priority: 'low',
    subject: 'Question about opening a joint account',
    description: 'Hello, my partner and I would like to open a joint account. What documents do we need and can we do it online?',
    events: [],
  },
  {
    customer: 20, daysAgo: 0.5, channel: 'phone', category: 'account_access', priority: 'high',
    subject: 'Password reset email never arrives',
    description: 'I requested a password reset three times today but the email never arrives, not even in spam. I cannot log in.',
    events: [],
  },
  {
    customer: 2, daysAgo: 0.1, channel: 'slack', category: 'card', priority: 'urgent',
    subject: 'My card was stolen — please block it',
    description: 'My wallet was stolen on the bus a few minutes ago and my debit card was in it. Please block the card now.',
    events: [],
  },
];
