package io.memsession;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * Notices that the response is about to be committed, and runs the session commit first, so that
 * the browser's next request, on any node, already finds the session saved.
 *
 * <p>Compiled against Servlet 6.1 so that its three new {@code sendRedirect} forms are intercepted on
 * containers that have them; on a Servlet 6.0 container nothing can call those, and the class runs
 * unchanged.
 *
 * <p>A response is committed by {@code sendRedirect}, {@code sendError}, {@code flushBuffer}, a
 * flush or close of its writer or stream, the declared content length being reached, or the
 * buffer filling up. Bytes written are counted (characters at the charset's widest encoding, so the
 * count never trails the container's buffer) to see the last two coming. This class does nothing else.
 */
final class CommitAwareResponse extends HttpServletResponseWrapper {

    private final Runnable beforeCommit;
    private long written;
    private long contentLength = -1;
    /** The content written so far already triggered the commit; cleared when the buffer is reset. */
    private boolean commitRunForContent;
    private ServletOutputStream stream;
    private PrintWriter writer;

    CommitAwareResponse(HttpServletResponse response, Runnable beforeCommit) {
        super(response);
        this.beforeCommit = beforeCommit;
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        commitPointReached();
        super.sendRedirect(location);
    }

    @Override
    public void sendRedirect(String location, int status) throws IOException {
        commitPointReached();
        super.sendRedirect(location, status);
    }

    @Override
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        commitPointReached();
        super.sendRedirect(location, clearBuffer);
    }

    @Override
    public void sendRedirect(String location, int status, boolean clearBuffer) throws IOException {
        commitPointReached();
        super.sendRedirect(location, status, clearBuffer);
    }

    @Override
    public void sendError(int status) throws IOException {
        commitPointReached();
        super.sendError(status);
    }

    @Override
    public void sendError(int status, String message) throws IOException {
        commitPointReached();
        super.sendError(status, message);
    }

    @Override
    public void flushBuffer() throws IOException {
        commitPointReached();
        super.flushBuffer();
    }

    @Override
    public void setContentLength(int length) {
        contentLength = length;
        super.setContentLength(length);
    }

    @Override
    public void setContentLengthLong(long length) {
        contentLength = length;
        super.setContentLengthLong(length);
    }

    @Override
    public void setHeader(String name, String value) {
        trackContentLengthHeader(name, value);
        super.setHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
        trackContentLengthHeader(name, value);
        super.addHeader(name, value);
    }

    @Override
    public void setIntHeader(String name, int value) {
        trackContentLengthHeader(name, Integer.toString(value));
        super.setIntHeader(name, value);
    }

    @Override
    public void reset() {
        super.reset();
        written = 0;
        contentLength = -1;
        commitRunForContent = false;
    }

    @Override
    public void resetBuffer() {
        super.resetBuffer();
        written = 0;
        commitRunForContent = false;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (stream == null) {
            stream = new CommitAwareOutputStream(super.getOutputStream());
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            writer = new CommitAwareWriter(super.getWriter(), charset());
        }
        return writer;
    }

    /**
     * Runs the session commit once when writing {@code bytes} more could commit the response: later
     * writes before the real commit do not run it again, since nothing is gained by saving the same
     * changes once per write (and a store that failed would be waited on once per write).
     */
    private void beforeWriting(long bytes) {
        long after = written + bytes;
        if (!commitRunForContent) {
            boolean lengthReached = contentLength >= 0 && after >= contentLength;
            boolean bufferFull = after >= getBufferSize();
            if (lengthReached || bufferFull) {
                commitRunForContent = true;
                commitPointReached();
            }
        }
        written = after;
    }

    /** A commit point: runs the session commit unless the response is committed already. */
    private void commitPointReached() {
        if (!isCommitted()) {
            beforeCommit.run();
        }
    }

    private void trackContentLengthHeader(String name, String value) {
        if ("Content-Length".equalsIgnoreCase(name)) {
            if (value == null) {
                // setHeader(name, null) removes the header (Jetty's static files do it first)
                contentLength = -1;
                return;
            }
            try {
                contentLength = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                contentLength = -1;
            }
        }
    }

    private Charset charset() {
        String encoding = getCharacterEncoding();
        try {
            return encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    private final class CommitAwareOutputStream extends ServletOutputStream {
        private final ServletOutputStream delegate;

        CommitAwareOutputStream(ServletOutputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            beforeWriting(1);
            delegate.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            beforeWriting(length);
            delegate.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            commitPointReached();
            delegate.flush();
        }

        @Override
        public void close() throws IOException {
            commitPointReached();
            delegate.close();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            delegate.setWriteListener(listener);
        }
    }

    private final class CommitAwareWriter extends PrintWriter {
        private final PrintWriter delegate;
        /** UTF-8 is counted character by character, exactly; other charsets at their widest. */
        private final boolean utf8;
        private final int widestBytesPerChar;

        CommitAwareWriter(PrintWriter delegate, Charset charset) {
            super(delegate);
            this.delegate = delegate;
            this.utf8 = StandardCharsets.UTF_8.equals(charset);
            // an encoder is built only to learn the width, so not for UTF-8, which is counted exactly
            this.widestBytesPerChar = utf8 ? 3 : (int) Math.ceil(charset.newEncoder().maxBytesPerChar());
        }

        @Override
        public void write(int c) {
            beforeWriting(utf8 ? utf8Length((char) c) : widestBytesPerChar);
            delegate.write(c);
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            beforeWriting(encodedLength(CharBuffer.wrap(chars), offset, length));
            delegate.write(chars, offset, length);
        }

        @Override
        public void write(String text, int offset, int length) {
            beforeWriting(encodedLength(text, offset, length));
            delegate.write(text, offset, length);
        }

        @Override
        public void println() {
            beforeWriting(encodedLength(System.lineSeparator(), 0, System.lineSeparator().length()));
            delegate.println();
        }

        private long encodedLength(CharSequence text, int offset, int length) {
            if (!utf8) {
                return (long) length * widestBytesPerChar;
            }
            long bytes = 0;
            for (int i = offset; i < offset + length; i++) {
                bytes += utf8Length(text.charAt(i));
            }
            return bytes;
        }

        /** Bytes of one UTF-16 unit in UTF-8; each half of a surrogate pair counts 2 of the pair's 4. */
        private static int utf8Length(char c) {
            if (c < 0x80) {
                return 1;
            }
            if (c < 0x800 || Character.isSurrogate(c)) {
                return 2;
            }
            return 3;
        }

        @Override
        public void flush() {
            commitPointReached();
            delegate.flush();
        }

        @Override
        public void close() {
            commitPointReached();
            delegate.close();
        }

        @Override
        public boolean checkError() {
            return delegate.checkError();
        }
    }
}
