/** The alerts' own port: incident state per site and the outbox of deliveries (DynamoDB items; a Map in unit tests). */
import type { Incident, MaintenanceWindow, Notification } from '../domain/alerts/incidents.ts';
import type { Delivery } from '../domain/alerts/outbox.ts';

/** What alerting knows of one site: its current incident and how far its observations have been read. */
export interface SiteAlertState {
  siteId: string;
  incident?: Incident;
  /** Events recorded at or after `at` are read again; `seen` are the ids already applied among them. */
  cursor: { at: string; seen: string[] };
  /**
   * Notifications decided but not yet in the outbox: written with the incident in one conditional write and
   * cleared once queued, so a crash between the two loses nothing (the next run queues them).
   */
  unqueued?: Notification[];
  /**
   * The site's announced maintenance windows not long over (from the `channel.maintenance` events the runs read), so
   * a run needs neither the site's whole stream nor its maintenance events again.
   */
  maintenance?: MaintenanceWindow[];
  version: number;
}

/**
 * How far the scheduled runs have read the alert feed: the next run reads events recorded at or after `at` (a
 * look-back before the last run's start, so late writers are not lost; what was already applied is skipped by each
 * site's own cursor). Absent: no run has used the feed yet — the first run visits every site once.
 */
export interface AlertRunCursor {
  at: string;
  version: number;
}

export interface AlertStore {
  getSiteState(siteId: string): Promise<SiteAlertState | undefined>;
  /** Conditional on `expectedVersion` (0 = create). Throws ConflictError when someone else wrote first. */
  putSiteState(state: SiteAlertState, expectedVersion: number): Promise<void>;
  /** Sites whose incident is suspected or open. */
  listActive(): Promise<SiteAlertState[]>;
  /** Sites with time-driven work: an active incident (reminders, re-checks) or notifications not yet queued. */
  listPendingWork(): Promise<SiteAlertState[]>;
  getRunCursor(): Promise<AlertRunCursor | undefined>;
  /** Conditional on `expectedVersion` (0 = create). Throws ConflictError when another run wrote first. */
  putRunCursor(cursor: AlertRunCursor, expectedVersion: number): Promise<void>;
  /** Keep a copy of an incident for the history (upsert by id). */
  recordIncident(incident: Incident): Promise<void>;
  /** Every incident, newest first. */
  listIncidents(): Promise<Incident[]>;
  /** Create iff absent; false when a delivery with this id exists (the same message twice is sent once). */
  createDelivery(delivery: Delivery): Promise<boolean>;
  /** Conditional on `expectedVersion`. Throws ConflictError otherwise. */
  updateDelivery(delivery: Delivery, expectedVersion: number): Promise<void>;
  /** Pending deliveries, soonest `nextAttemptAt` first. */
  listPending(): Promise<Delivery[]>;
  /** Every delivery, newest first. */
  listDeliveries(): Promise<Delivery[]>;
}
