// Where each part of the page lives under the configured base path (links inside the page, routes, chat links).

export interface WebPaths {
  home: string;
  incident: (id: string) => string;
  events: string;
  data: string;
  asset: (name: string) => string;
}

export function webPaths(basePath: string): WebPaths {
  const base = basePath.replace(/\/+$/, '');
  return {
    home: `${base}/`,
    incident: (id) => `${base}/incidents/${encodeURIComponent(id)}`,
    events: `${base}/web/events`,
    data: `${base}/web/data.json`,
    asset: (name) => `${base}/web/assets/${name}`,
  };
}

/** The incident's permalink as people reach the page (`web.publicUrl`), for chat messages to link to. */
export function incidentUrlFor(publicUrl: string | undefined): ((alertId: string) => string) | undefined {
  if (!publicUrl) return undefined;
  const base = publicUrl.replace(/\/+$/, '');
  return (id) => `${base}/incidents/${encodeURIComponent(id)}`;
}
