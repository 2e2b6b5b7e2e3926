package io.memsession;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.reflect.Array;

/**
 * Java serialization of allow-listed application objects, with the same class rule on both sides: the
 * writer refuses what the reader's {@link TypeAllowList#objectInputFilter() filter} would reject, so a bad
 * attribute fails in {@code setAttribute}'s request with a clear message instead of making the session
 * unreadable later.
 */
final class JavaSerialization {

    private JavaSerialization() {
    }

    /**
     * @throws IllegalArgumentException if the object graph holds a class the allow-list rejects or one that
     *     is not Serializable, or if the result exceeds {@link TypeAllowList#MAX_BYTES}
     */
    static byte[] serialize(Object value, TypeAllowList allowList) {
        String what = "Cannot store a value of class " + value.getClass().getName() + " in the session: ";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (CheckingOutputStream out = new CheckingOutputStream(bytes, allowList)) {
            out.writeObject(value);
        } catch (DisallowedClassException e) {
            throw new IllegalArgumentException(what + "it contains an object of class " + e.className
                    + ", which is not allowed; " + TypeAllowList.howToAllow(e.className), e);
        } catch (LimitException e) {
            throw new IllegalArgumentException(what + "it holds " + e.getMessage() + ", which would not be read"
                    + " back", e);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(what + "it contains an object of class " + e.getMessage()
                    + ", which does not implement java.io.Serializable", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + "Java serialization failed: " + e, e);
        }
        if (bytes.size() > TypeAllowList.MAX_BYTES) {
            throw new IllegalArgumentException(what + "its serialized form has " + bytes.size()
                    + " bytes, more than the " + TypeAllowList.MAX_BYTES + " that will be read back");
        }
        return bytes.toByteArray();
    }

    /**
     * Reads one object through the allow-list filter; classes resolve through the thread context class
     * loader, as the web application's classes live there.
     *
     * @throws UnreadableSessionException on a filter rejection, missing class or corrupt stream
     */
    static Object deserialize(byte[] blob, TypeAllowList allowList, String expectedClass) {
        FilteredInputStream in = null;
        try {
            in = new FilteredInputStream(new ByteArrayInputStream(blob));
            in.setObjectInputFilter(allowList.objectInputFilter());
            return in.readObject();
        } catch (InvalidClassException e) {
            String lastClass = in == null ? null : in.lastResolvedClass;
            throw new UnreadableSessionException("Java-serialized value of class " + expectedClass
                    + " was refused (" + e.getMessage() + ")" + (lastClass == null ? ""
                    : "; the last class read was " + lastClass + ", " + TypeAllowList.howToAllow(lastClass)
                    + " if it is trusted"), e);
        } catch (IOException | ClassNotFoundException e) {
            throw new UnreadableSessionException(
                    "Java-serialized value of class " + expectedClass + " cannot be read: " + e, e);
        }
    }

    private static final class CheckingOutputStream extends ObjectOutputStream {
        private final TypeAllowList allowList;
        /**
         * Set once a check has failed. ObjectOutputStream then writes the exception itself into the stream
         * before rethrowing it; that write must pass, or its own failure would replace the real one.
         */
        private boolean failed;
        private long objects;

        CheckingOutputStream(OutputStream out, TypeAllowList allowList) throws IOException {
            super(out);
            this.allowList = allowList;
            enableReplaceObject(true);
        }

        // Called once for every class descriptor written, superclasses and array classes included: the
        // same classes the reading filter sees.
        @Override
        protected void annotateClass(Class<?> cls) throws IOException {
            if (!failed && !allowList.allowsSerializedClass(cls)) {
                failed = true;
                throw new DisallowedClassException(cls.getName());
            }
        }

        @Override
        protected void annotateProxyClass(Class<?> cls) throws IOException {
            if (!failed) {
                failed = true;
                throw new DisallowedClassException(cls.getName());
            }
        }

        // Reports a non-serializable object here, before ObjectOutputStream would, so that the flag is set.
        @Override
        protected Object replaceObject(Object obj) throws IOException {
            if (!failed && !(obj instanceof Serializable) && !obj.getClass().isArray()) {
                failed = true;
                throw new NotSerializableException(obj.getClass().getName());
            }
            // the reading filter's bounds that can be seen while writing: objects and array lengths
            if (!failed && ++objects > TypeAllowList.MAX_REFERENCES) {
                failed = true;
                throw new LimitException("more than " + TypeAllowList.MAX_REFERENCES + " objects");
            }
            if (!failed && obj.getClass().isArray() && Array.getLength(obj) > TypeAllowList.MAX_ARRAY_LENGTH) {
                failed = true;
                throw new LimitException("an array of " + Array.getLength(obj) + " elements, more than "
                        + TypeAllowList.MAX_ARRAY_LENGTH);
            }
            return obj;
        }
    }

    private static final class FilteredInputStream extends ObjectInputStream {
        /** For the error message: the filter itself is shared and cannot say what it rejected. */
        private String lastResolvedClass;

        FilteredInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            lastResolvedClass = desc.getName();
            try {
                return AttributeCodec.loadClass(desc.getName());
            } catch (ClassNotFoundException e) {
                // Primitive type descriptors (int.class written as a value) are not loadable by name.
                return super.resolveClass(desc);
            }
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException {
            throw new InvalidClassException("dynamic proxy classes are never deserialized");
        }
    }

    /** The object graph breaks a bound of the reading filter. */
    private static final class LimitException extends IOException {
        private static final long serialVersionUID = 1L;

        LimitException(String message) {
            super(message);
        }
    }

    private static final class DisallowedClassException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String className;

        DisallowedClassException(String className) {
            super(className);
            this.className = className;
        }
    }
}
