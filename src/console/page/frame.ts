import { fill, h } from './dom.js';
import type { FeedStatus } from './live-feed.js';

const STATUS_TEXT: Record<FeedStatus, string> = {
  connecting: 'Connecting…',
  live: 'Connected',
  reconnecting: 'Reconnecting… cues will catch up',
};

export interface Frame {
  main: HTMLElement;
  setStatus(status: FeedStatus): void;
}

/** The page's header (what it follows, connection state) around an empty main area. */
export function mountFrame(root: HTMLElement, title: string, subject: string): Frame {
  const status = h('p', { class: 'connection', role: 'status', 'data-status': 'connecting' }, STATUS_TEXT.connecting);
  const main = h('main', { class: 'console', 'aria-labelledby': 'console-title' });
  fill(
    root,
    h(
      'header',
      { class: 'top' },
      h(
        'h1',
        { id: 'console-title' },
        h('span', { class: 'brand' }, 'call-guard'),
        ` ${title}`,
        h('span', { class: 'subject' }, subject),
      ),
      status,
    ),
    main,
  );
  return {
    main,
    setStatus(next) {
      status.dataset.status = next;
      status.textContent = STATUS_TEXT[next];
    },
  };
}

/** A calm explanation in place of the console, with an address that works. */
export function showProblem(root: HTMLElement, problem: string): void {
  fill(
    root,
    h(
      'main',
      { class: 'problem', 'aria-labelledby': 'problem-title' },
      h('h1', { id: 'problem-title' }, 'The console cannot open yet'),
      h('p', { role: 'alert' }, problem),
      h('p', {}, 'An address that works looks like:'),
      h('p', {}, h('code', {}, '/console?token=YOUR_TOKEN&agentId=YOUR_AGENT_ID')),
      h('p', {}, 'or, for supervisors:'),
      h('p', {}, h('code', {}, '/console?view=supervisor&token=YOUR_TOKEN&teamId=YOUR_TEAM')),
      h('p', {}, 'or, for the incident record:'),
      h('p', {}, h('code', {}, '/console?view=incidents&token=YOUR_TOKEN')),
    ),
  );
}
