import { useEffect } from 'react';

const APP = 'Refresh Token Console';

/** The page's own <title>, so tabs, history and screen readers tell pages apart. */
export function useTitle(title: string | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · ${APP}` : APP;
  }, [title]);
}
