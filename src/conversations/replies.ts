/** The fixed texts conversations sends on its own (not written by the model). */
export const REPLIES = {
  holding:
    "Thanks for your message. Our assistant is temporarily unavailable, so there may be a short delay. Your message is safely queued and we'll answer it here as soon as we can; there's no need to send it again.",
  busy:
    "Sorry, we're receiving an unusually high number of messages right now and couldn't take yours. Please send it again in a few minutes.",
  apology:
    "Sorry, something went wrong on our side while handling your message. Our support team has been alerted and will follow up with you.",
} as const;
