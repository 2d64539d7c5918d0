// An ordinary link (keyboard, middle-click and "open in new tab" work) that navigates in place.
import type { MouseEvent, ReactNode } from 'react';
import { navigate } from './router';

export function Link({ href, children, current }: { href: string; children: ReactNode; current?: boolean }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}
