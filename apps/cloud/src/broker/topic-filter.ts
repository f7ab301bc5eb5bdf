/**
 * MQTT topic filters (`+` one level, `#` the rest) as predicates over topic names, for the cloud's
 * in-process handlers on both broker paths.
 */
export function topicMatcher(filter: string): (topic: string) => boolean {
  const pattern = filter
    .split('/')
    .map((level) =>
      level === '+' ? '[^/]+' : level === '#' ? '.*' : level.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  const match = new RegExp(`^${pattern}$`);
  return (topic) => match.test(topic);
}
