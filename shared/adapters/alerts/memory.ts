/** AlertStore in memory (unit tests, dry runs). */
import { ConflictError } from '../../domain/errors.ts';
import type { Incident } from '../../domain/alerts/incidents.ts';
import { isActive } from '../../domain/alerts/incidents.ts';
import type { Delivery } from '../../domain/alerts/outbox.ts';
import type { AlertRunCursor, AlertStore, SiteAlertState } from '../../app/alerts-ports.ts';

const clone = <T>(v: T): T => structuredClone(v);

export class MemoryAlertStore implements AlertStore {
  readonly states = new Map<string, SiteAlertState>();
  readonly incidents = new Map<string, Incident>();
  readonly deliveries = new Map<string, Delivery>();
  runCursor: AlertRunCursor | undefined;

  async getSiteState(siteId: string) {
    const s = this.states.get(siteId);
    return s ? clone(s) : undefined;
  }
  async putSiteState(state: SiteAlertState, expectedVersion: number) {
    const cur = this.states.get(state.siteId);
    if ((cur?.version ?? 0) !== expectedVersion) throw new ConflictError(`alert state of ${state.siteId} changed`);
    this.states.set(state.siteId, clone(state));
  }
  async listActive() {
    return [...this.states.values()].filter((s) => isActive(s.incident)).map(clone);
  }
  async listPendingWork() {
    return [...this.states.values()].filter((s) => isActive(s.incident) || (s.unqueued?.length ?? 0) > 0).map(clone);
  }
  async getRunCursor() {
    return this.runCursor ? clone(this.runCursor) : undefined;
  }
  async putRunCursor(cursor: AlertRunCursor, expectedVersion: number) {
    if ((this.runCursor?.version ?? 0) !== expectedVersion) throw new ConflictError('alert run cursor changed');
    this.runCursor = clone(cursor);
  }
  async recordIncident(incident: Incident) {
    this.incidents.set(incident.id, clone(incident));
  }
  async listIncidents() {
    return [...this.incidents.values()].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt)).map(clone);
  }
  async createDelivery(d: Delivery) {
    if (this.deliveries.has(d.id)) return false;
    this.deliveries.set(d.id, clone(d));
    return true;
  }
  async updateDelivery(d: Delivery, expectedVersion: number) {
    const cur = this.deliveries.get(d.id);
    if (!cur || cur.version !== expectedVersion) throw new ConflictError(`delivery ${d.id} changed`);
    this.deliveries.set(d.id, clone(d));
  }
  async listPending() {
    return [...this.deliveries.values()].filter((d) => d.status === 'pending').sort((a, b) => Date.parse(a.nextAttemptAt) - Date.parse(b.nextAttemptAt)).map(clone);
  }
  async listDeliveries() {
    return [...this.deliveries.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)).map(clone);
  }
}

