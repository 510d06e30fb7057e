import type { Logger } from '../config/logger.js';
import type { ModelStreamEvent } from './model.js';
import type { TurnEvent, TurnListener } from './types.js';

/**
 * A turn's events for its listener (none: every call is a no-op). Text pieces of one model response are reported
 * joined the way the reply joins its text blocks (a new block starts on a new line); `retract` is sent only when
 * text was reported since the last one. A listener that throws is logged and ignored.
 */
export function createTurnEvents(listener: TurnListener | undefined, log: Logger) {
  let pending = false;
  let lastBlock: number | undefined;

  function emit(event: TurnEvent): void {
    if (!listener) return;
    try {
      listener(event);
    } catch (err) {
      log.warn({ event: event.type, err: String(err) }, 'turn event listener failed');
    }
  }

  /** The text reported since the last retract will not be the reply. */
  function retract(): void {
    if (pending) emit({ type: 'retract' });
    pending = false;
    lastBlock = undefined;
  }

  function onModelEvent(event: ModelStreamEvent): void {
    if (event.type === 'restart') {
      retract();
      return;
    }
    if (!event.text) return;
    const separator = lastBlock !== undefined && event.index !== lastBlock ? '\n' : '';
    lastBlock = event.index;
    pending = true;
    emit({ type: 'text', text: separator + event.text });
  }

  return {
    /** For `createMessage` (undefined without a listener, so a model need not report anything). */
    onModelEvent: listener ? onModelEvent : undefined,
    retract,
    working: (tool: string) => emit({ type: 'working', tool }),
    toolDone: (tool: string, ok: boolean) => emit({ type: 'tool_done', tool, ok }),
    done: (handoff: boolean) => emit({ type: 'done', handoff }),
    failed: (code: string) => {
      retract();
      emit({ type: 'failed', code });
    },
  };
}

export type TurnEvents = ReturnType<typeof createTurnEvents>;
