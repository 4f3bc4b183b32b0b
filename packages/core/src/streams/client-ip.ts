/**
 * Client IPs are personal data: we store them truncated (IPv4 /24, IPv6 /48), as Google Analytics does.
 * The address must come from the request context (API Gateway's sourceIp), never from X-Forwarded-For,
 * which any client can forge.
 */
import { isIPv4, isIPv6 } from "node:net";

/**
 * @example truncateIp("203.0.113.77") // "203.0.113.0"
 * @example truncateIp("2001:db8:85a3::8a2e:370:7334") // "2001:db8:85a3::"
 */
export function truncateIp(ip: string | undefined | null): string | null {
  if (!ip) return null;
  const mapped = ip.startsWith("::ffff:") && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (isIPv4(mapped)) return `${mapped.slice(0, mapped.lastIndexOf(".") + 1)}0`;
  if (isIPv6(mapped)) return `${expandIpv6(mapped).slice(0, 3).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::`;
  return null;
}

function expandIpv6(ip: string): string[] {
  const [head, tail] = ip.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right];
}
