extension MockRules {
    /// The rules of the quick start (`ping-auth-proxy demo`), the same text as
    /// `Config/policies/default.yml` (a test keeps the two equal): embedded so the demo runs from anywhere.
    public static let quickStartText: String = """
        # The quick start's policy: what `ping-auth-proxy mock-pdp` decides when you have not written your own.
        # Language reference: Config/policies/README.md in this folder.
        #
        #   GET /demo/hello        -> allowed, with the header X-Policy: modified added on the way upstream
        #   GET /demo/admin...     -> denied with 403
        #   anything else          -> allowed unchanged; upstream responses pass unchanged

        settings:
          # No shared_secrets: every gateway secret is accepted. To check it as PingAuthorize does:
          # shared_secrets: ["{env:PAZ_SHARED_SECRET}"]
          secret_header_name: CLIENT-TOKEN
          request_context_method: state

        request_rules:
          # Rules are tried top to bottom; the first that matches decides.
          - name: deny-admin
            description: Nothing under /demo/admin is for the public.
            match:
              path: /demo/admin**          # ** spans segments: /demo/admin, /demo/admin/users, /demo/administrators
            deny:
              status: 403
              body:
                status: 403
                message: Access denied by the demo policy

          - name: modify-hello
            description: Show a modification - the upstream echoes the header back.
            match:
              path: /demo/hello
            allow:
              add_headers:
                X-Policy: modified

        default:
          request: allow       # requests no rule matched go upstream unchanged
          response: pass       # upstream responses reach the client unchanged
        """
}
