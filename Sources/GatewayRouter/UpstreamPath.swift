/// The path sent upstream: Kong's `path_handling: v0` join of the service's path and the request's path.
public enum UpstreamPath {
    /// Kong's path_handling v0 join of the service path and the request.
    ///
    /// `base` is `servicePath` (`nil` or `""` mean `/`), `req` the whole normalised request path, `postfix`
    /// ``RouteMatch/strippedPostfix``:
    ///
    /// - `base` ends with `/`:
    ///   - stripping: postfix `""` → `/` when base is `/`, else base when `req` ends with `/`, else base
    ///     without its last `/`; postfix starting with `/` → base without its last `/`, then postfix; otherwise
    ///     base + postfix.
    ///   - not stripping: base + `req` without its first `/`.
    /// - `base` does not end with `/`:
    ///   - stripping: postfix `""` → base + `/` when `req` is longer than `/` and ends with `/`, else base;
    ///     postfix starting with `/` → base + postfix; otherwise base + `/` + postfix.
    ///   - not stripping: base when `req` is `/`, else base + `req`.
    ///
    /// So service `/api` with route `/orders`: `/orders` → `/api`, `/orders/` → `/api/`, `/orders/17` →
    /// `/api/17`. Returns the upstream path; the caller appends the query.
    public static func join(servicePath: String?, requestPath: String, match: RouteMatch) -> String {
        let base = servicePath.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        let baseEndsWithSlash = base.utf8.last == ASCII.slash
        let requestEndsWithSlash = requestPath.utf8.last == ASCII.slash

        guard let postfix = match.strippedPostfix else {
            if baseEndsWithSlash {
                return base + requestPath.dropFirst()
            }
            return requestPath == "/" ? base : base + requestPath
        }

        if baseEndsWithSlash {
            if postfix.isEmpty {
                if base == "/" {
                    return "/"
                }
                return requestEndsWithSlash ? base : String(base.dropLast())
            }
            if postfix.utf8.first == ASCII.slash {
                return base.dropLast() + postfix
            }
            return base + postfix
        }

        if postfix.isEmpty {
            return requestPath.utf8.count > 1 && requestEndsWithSlash ? base + "/" : base
        }
        if postfix.utf8.first == ASCII.slash {
            return base + postfix
        }
        return base + "/" + postfix
    }
}
