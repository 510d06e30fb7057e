import type { ToolDefinition } from '../define-tool.js';
import { getAccountDetails } from './get-account-details.js';
import { getAccountBalance } from './get-account-balance.js';
import { getRecentTransactions } from './get-recent-transactions.js';
import { updateAddress } from './update-address.js';
import { requestPasswordChange } from './request-password-change.js';
import { requestCardDeactivation } from './request-card-deactivation.js';
import { freezeCard } from './freeze-card.js';
import { unfreezeCard } from './unfreeze-card.js';
import { createTicketForAnonymous, createTicketForCustomer, createTicketForStaff } from './create-ticket.js';
import { listMyTickets } from './list-my-tickets.js';
import { getMyTicket } from './get-my-ticket.js';
import { searchKnowledgeBase } from './search-knowledge-base.js';
import { findCustomer } from './find-customer.js';
import { listTickets } from './list-tickets.js';
import { handleTicket } from './handle-ticket.js';
import { respondToTicket } from './respond-to-ticket.js';
import { updateTicketStatus } from './update-ticket-status.js';
import { addCustomerNote } from './add-customer-note.js';
import { listPendingApprovals } from './list-pending-approvals.js';
import { decideApproval } from './decide-approval.js';
import { getSupportMetrics } from './get-support-metrics.js';
import { discardDraft, getDraft, sendDraft } from './draft-decisions.js';

/** Every Helpline tool with its literal name, audience and schemas in its type (see typed-client.ts). */
export const TOOL_DEFINITIONS = [
  // customer
  getAccountDetails, getAccountBalance, getRecentTransactions, updateAddress, requestPasswordChange, freezeCard, unfreezeCard, requestCardDeactivation,
  createTicketForCustomer, listMyTickets, getMyTicket,
  // everyone
  searchKnowledgeBase,
  // anonymous
  createTicketForAnonymous,
  // staff
  findCustomer, listTickets, handleTicket, respondToTicket, updateTicketStatus, addCustomerNote, listPendingApprovals,
  decideApproval, getSupportMetrics, createTicketForStaff, sendDraft, discardDraft, getDraft,
] as const;

/** Every Helpline tool; the server registers the ones whose audience includes the caller's kind. */
export const ALL_TOOLS: readonly ToolDefinition[] = TOOL_DEFINITIONS as readonly ToolDefinition[];
