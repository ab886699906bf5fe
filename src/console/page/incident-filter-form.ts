import { h } from './dom.js';
import type { IncidentFilters } from './incident-query.js';
import { INCIDENT_CUE_NAMES } from './incident-words.js';

type FormField = Exclude<keyof IncidentFilters, 'limit'>;

/** The list's filters: a day range, agent, team and cue type; "Show incidents" applies them. */
export class IncidentFilterForm {
  readonly element: HTMLFormElement;
  private readonly inputs: Record<FormField, HTMLInputElement | HTMLSelectElement>;

  constructor(initial: IncidentFilters, apply: (filters: IncidentFilters) => void) {
    const cueType = h('select', { id: 'filter-cueType', name: 'cueType' }, h('option', { value: '' }, 'Any'));
    for (const [type, name] of Object.entries(INCIDENT_CUE_NAMES)) cueType.append(h('option', { value: type }, name));
    this.inputs = {
      from: h('input', { id: 'filter-from', name: 'from', type: 'date' }),
      to: h('input', { id: 'filter-to', name: 'to', type: 'date' }),
      agentId: h('input', { id: 'filter-agentId', name: 'agentId', type: 'text', autocomplete: 'off' }),
      teamId: h('input', { id: 'filter-teamId', name: 'teamId', type: 'text', autocomplete: 'off' }),
      cueType,
    };
    for (const [field, input] of Object.entries(this.inputs) as [FormField, HTMLInputElement | HTMLSelectElement][])
      input.value = initial[field] ?? '';
    const field = (name: FormField, label: string) =>
      h('div', { class: 'filter' }, h('label', { for: `filter-${name}` }, label), this.inputs[name]);
    const clear = h('button', { type: 'button', class: 'filters-clear' }, 'Clear filters');
    this.element = h(
      'form',
      { class: 'panel filters', 'aria-labelledby': 'filters-title' },
      h('h2', { id: 'filters-title' }, 'Filters'),
      h(
        'div',
        { class: 'filter-row' },
        field('from', 'From (day)'),
        field('to', 'To (day, included)'),
        field('agentId', 'Agent'),
        field('teamId', 'Team'),
        field('cueType', 'Cue type'),
      ),
      h(
        'div',
        { class: 'filter-actions' },
        h('button', { type: 'submit', class: 'filters-apply' }, 'Show incidents'),
        clear,
      ),
    );
    const limit = initial.limit;
    const current = (): IncidentFilters => {
      const filters: IncidentFilters = limit === undefined ? {} : { limit };
      for (const [name, input] of Object.entries(this.inputs) as [FormField, HTMLInputElement | HTMLSelectElement][]) {
        const value = input.value.trim();
        if (value) filters[name] = value;
      }
      return filters;
    };
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      apply(current());
    });
    clear.addEventListener('click', () => {
      for (const input of Object.values(this.inputs)) input.value = '';
      apply(current());
    });
  }
}
