// Helpline as a library (README "Helpline as a library"). Run: npm run build && npx tsx examples/library.ts
import { createHelpline } from 'helpline';

// The offline assistant (pass anthropicApiKey for Claude), the demo data in memory, no channel running.
const helpline = await createHelpline();
try {
  // A customer your backend has signed in: Helpline takes your word for who they are, as with an API key.
  const session = helpline.session({ customerId: 'cus_001' });

  const balance = await session.chat("What's my balance?");
  console.log(`assistant: ${balance.text}`);

  // Same session, same thread: the assistant's question and the answer to it are one conversation.
  console.log(`assistant: ${(await session.chat('I lost my card')).text}`);
  const lost = await session.chat('The one ending 4179');
  console.log(`assistant: ${lost.text}`);
  // Deactivating a card is sensitive: it waits for a staff member to approve it (in Slack).
  for (const a of lost.approvals) console.log(`approval waiting for staff: ${a.action} ${a.id}`);

  console.log(`history: ${(await session.history()).length} messages`);
} finally {
  await helpline.close();
}
