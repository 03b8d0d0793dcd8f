// An alert's status as people read it: the source's word, and the figure that moves while it is open ("spiking ·
// 57 in 1h (usual 0.4)"). The same on every platform.
import type { Alert } from './alert.js';

export function statusText(a: Pick<Alert, 'status' | 'figure' | 'state'>): string {
  const words = a.status.replace(/_/g, ' ');
  return a.figure && a.state !== 'resolved' ? `${words} · ${a.figure.text}` : words;
}
