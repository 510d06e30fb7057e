import { describe, expect, it } from 'vitest';
import { ANN, ANON, BOB, makeSupport, NOT_STAFF, STAFF } from './fixture.js';

describe('metrics', () => {
  it('counts and medians on the fixture', async () => {
    const { support } = await makeSupport();
    const m = await support.metrics.get(STAFF);
    expect(m.ticketsByStatus).toEqual({ open: 1, in_progress: 1, resolved: 1, closed: 0 });
    expect(m.ticketsByCategory).toEqual({ billing: 1, card: 1, general: 1 });
    expect(m.ticketsByChannel).toEqual({ slack: 1, email: 2 });
    // first responses: 30 and 90 minutes → 60; resolution: 120 minutes
    expect(m.medianFirstResponseMinutes).toBe(60);
    expect(m.medianResolutionMinutes).toBe(120);
    expect(m.openApprovals).toBe(0);
    expect(m.today).toEqual({ opened: 1, resolved: 0 });
    expect(m.sentimentTrend).toHaveLength(14);
    expect(m.sentimentTrend[0]?.day).toBe('2026-02-25');
    expect(m.sentimentTrend.at(-1)).toEqual({ day: '2026-03-10', average: 0.1, count: 1 });
    expect(m.sentimentTrend.find((d) => d.day === '2026-03-08')).toEqual({ day: '2026-03-08', average: -0.2, count: 1 });
    expect(m.sentimentTrend.filter((d) => d.count > 0)).toHaveLength(3);
  });

  it('follows changes: new tickets, resolutions, pending approvals', async () => {
    const h = await makeSupport();
    const t = await h.support.tickets.create(ANN, { channel: 'slack' }, { subject: 'Lost card', description: 'I lost my card' });
    await h.support.approvals.requestCardDeactivation(ANN, {}, { last4: '4242', reason: 'lost' });
    await h.support.approvals.requestPasswordChange(BOB, {}, 'forgot');
    h.advance(30);
    await h.support.tickets.respond(STAFF, { ticketId: t.id, message: 'Card blocked', visibility: 'public', status: 'resolved' });
    const m = await h.support.metrics.get(STAFF);
    expect(m.ticketsByStatus.resolved).toBe(2);
    expect(m.ticketsByChannel.slack).toBe(2);
    expect(m.ticketsByCategory.card).toBe(2);
    expect(m.openApprovals).toBe(2);
    expect(m.today).toEqual({ opened: 2, resolved: 1 });
    expect(m.medianFirstResponseMinutes).toBe(30); // 30, 30, 90
    expect(m.medianResolutionMinutes).toBe(75); // 120 and 30
    h.advance(61);
    expect((await h.support.metrics.get(STAFF)).openApprovals).toBe(0);
  });

  it('is staff-only', async () => {
    const { support } = await makeSupport();
    for (const caller of [ANN, ANON, NOT_STAFF]) await expect(support.metrics.get(caller)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
