package io.memsession.demo;

import jakarta.servlet.http.HttpServletRequest;

/** Which node served a request, and how a session id is shown: the same on every page and endpoint. */
final class Node {

    private static final int SHOWN_ID_CHARS = 8;

    private Node() {
    }

    /**
     * The name given by the {@code demo.node} system property (scripts/demo.sh sets it), else
     * "port N" after the port the request came in on, so that a stock container shows something useful.
     */
    static String name(HttpServletRequest req) {
        String name = System.getProperty("demo.node");
        if (name == null || name.isBlank()) {
            return "port " + req.getLocalPort();
        }
        return name;
    }

    /** The start of a session id: enough to tell sessions apart, too little to take one over from a screenshot. */
    static String shortId(String id) {
        return id.length() <= SHOWN_ID_CHARS ? id : id.substring(0, SHOWN_ID_CHARS) + "\u2026";
    }
}
